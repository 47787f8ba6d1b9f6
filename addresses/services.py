"""Writes of the street register: streets, renamings, building numbers (each in `transaction.atomic`).

A renaming never rewrites a name: it closes the name in force on the day of the change and opens the
new one that day. A number is retired the same way. The callers decide who may write (the admin, an
issuer's staff for their own UAT, an import command).
"""
from __future__ import annotations

from datetime import date

from django.contrib.gis.geos import GEOSGeometry, MultiLineString, Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from addresses.models import NUMBER_RE, BuildingNumber, RegisterImport, Street, StreetName, number_key
from addresses.selectors import in_force
from parcels.models import UAT, Locality, Parcel

EPOCH = date(1900, 1, 1)  # "since always", for names whose start is not known


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Numele străzii este obligatoriu.")]})
    if len(name) > 200:
        raise ValidationError({"name": [_("Numele străzii are cel mult 200 de caractere.")]})
    return name


def _as_axis(axis: GEOSGeometry | None) -> MultiLineString | None:
    if axis is None:
        return None
    if axis.srid != 3844:
        axis = axis.transform(3844, clone=True)
    if axis.geom_type == "LineString":
        axis = MultiLineString(axis, srid=3844)
    if not isinstance(axis, MultiLineString):
        raise ValidationError({"axis": [_("Axa străzii trebuie să fie o linie.")]})
    return axis


@transaction.atomic
def street_add(*, uat: UAT, code: str, name: str, valid_from: date = EPOCH, decision: str = "",
               locality: Locality | None = None, axis: GEOSGeometry | None = None,
               source: RegisterImport | None = None) -> Street:
    code = (code or "").strip()
    if not code or len(code) > 40:
        raise ValidationError({"code": [_("Codul străzii este obligatoriu (cel mult 40 de caractere).")]})
    if locality is not None and locality.uat_id != uat.pk:
        raise ValidationError({"locality": [_("Localitatea nu aparține acestui UAT.")]})
    if Street.objects.filter(uat=uat, code=code).exists():
        raise ValidationError({"code": [_("Există deja o stradă cu codul %(code)s în acest UAT.") % {"code": code}]})
    street = Street.objects.create(uat=uat, code=code, locality=locality, axis=_as_axis(axis), source=source)
    StreetName.objects.create(street=street, name=_clean_name(name), valid_from=valid_from, decision=decision.strip())
    return street


@transaction.atomic
def street_rename(*, street: Street, name: str, on: date, decision: str) -> StreetName:
    """Rename the street from the date `on`: the old name stays valid until that day (exclusive)."""
    name = _clean_name(name)
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": [_("Indicați hotărârea consiliului local care a aprobat denumirea.")]})
    current = StreetName.objects.select_for_update().filter(street=street, valid_to__isnull=True).first()
    if current is None:
        raise ValidationError({"name": [_("Strada nu are o denumire în vigoare.")]})
    if current.name == name:
        raise ValidationError({"name": [_("Strada poartă deja această denumire.")]})
    if on <= current.valid_from:
        raise ValidationError({"on": [_("Data redenumirii trebuie să fie după %(date)s, când a intrat în vigoare "
                                        "denumirea actuală.") % {"date": current.valid_from.strftime("%d.%m.%Y")}]})
    current.valid_to = on
    current.save(update_fields=["valid_to"])
    return StreetName.objects.create(street=street, name=name, valid_from=on, decision=decision)


@transaction.atomic
def number_assign(*, parcel: Parcel, street: Street, number: str, on: date | None = None, decision: str = "",
                  by=None, point: GEOSGeometry | None = None, source: RegisterImport | None = None) -> BuildingNumber:
    """Assign a building number on the street to the parcel (the point defaults to a point inside it)."""
    on = on or timezone.localdate()
    number = " ".join((number or "").split())
    if not NUMBER_RE.match(number):
        raise ValidationError({"number": [_("Număr administrativ nevalid: folosiți forme ca 12, 12A, 12 bis sau 12-14.")]})
    if street.uat_id != parcel.uat_id:
        raise ValidationError({"street": [_("Strada nu este în UAT-ul parcelei.")]})
    if not street.names.filter(in_force(on)).exists():
        raise ValidationError({"street": [_("Strada nu are o denumire în vigoare la această dată.")]})
    taken = (BuildingNumber.objects.filter(in_force(on), street=street, number_key=number_key(number))
             .select_related("parcel").first())
    if taken is not None:
        where = taken.parcel.cadastral_number if taken.parcel else "—"
        raise ValidationError({"number": [_("Numărul %(number)s este deja atribuit pe această stradă (parcela "
                                            "%(parcel)s).") % {"number": number, "parcel": where}]})
    if point is None:
        point = parcel.geom.point_on_surface
    elif point.srid != 3844:
        point = point.transform(3844, clone=True)
    if not isinstance(point, Point):
        raise ValidationError({"point": [_("Numărul se plasează printr-un punct.")]})
    return BuildingNumber.objects.create(street=street, number=number, parcel=parcel, point=point, valid_from=on,
                                         decision=(decision or "").strip()[:200], assigned_by=by, source=source)


@transaction.atomic
def number_retire(*, number: BuildingNumber, on: date) -> BuildingNumber:
    row = BuildingNumber.objects.select_for_update().get(pk=number.pk)
    if row.valid_to is not None:
        raise ValidationError({"number": [_("Numărul nu mai este în vigoare.")]})
    if on <= row.valid_from:
        raise ValidationError({"on": [_("Data trebuie să fie după atribuirea numărului.")]})
    row.valid_to = on
    row.save(update_fields=["valid_to"])
    return row
