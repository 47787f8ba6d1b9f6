"""Reads of the street register: the name of a street on a date, and the address of a parcel on a date.

The register is public data (nomenclatura stradală is published by the city hall), so these reads are
not scoped to a caller; who may change it is decided in addresses.services' callers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from addresses.models import BuildingNumber, Street, StreetName
from parcels.models import Parcel


def in_force(on: date, prefix: str = "") -> Q:
    """Rows whose period [valid_from, valid_to) contains the date `on`."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (Q(**{f"{prefix}valid_to__isnull": True})
                                                   | Q(**{f"{prefix}valid_to__gt": on}))


@dataclass(frozen=True)
class FormerName:
    name: str
    valid_from: date
    valid_to: date
    decision: str


@dataclass(frozen=True)
class Address:
    """The address of a parcel on a date, as the certificate prints it."""

    street_name: str
    number: str
    street_code: str
    name_decision: str
    locality: str
    locality_siruta: int | None
    postal_code: str
    uat: str
    uat_siruta: int
    county: str
    former_names: list[FormerName] = field(default_factory=list)

    @property
    def text(self) -> str:
        place = self.locality or self.uat
        return f"{self.street_name} nr. {self.number}, {place}, județul {self.county}"


def street_name_on(*, street: Street, on: date) -> StreetName | None:
    return street.names.filter(in_force(on)).first()


def numbers_of(*, parcel: Parcel, on: date | None = None) -> QuerySet[BuildingNumber]:
    """The building numbers of a parcel in force on the date, on streets that have a name then."""
    on = on or timezone.localdate()
    named = StreetName.objects.filter(in_force(on)).values("street_id")
    return (BuildingNumber.objects.filter(in_force(on), parcel=parcel, street_id__in=named)
            .select_related("street", "street__uat", "street__locality").order_by("street__code", "number_key"))


def address_of(*, parcel: Parcel, on: date | None = None) -> Address | None:
    """The parcel's address on the date (today by default), or None when the register gives it none."""
    on = on or timezone.localdate()
    number = numbers_of(parcel=parcel, on=on).first()
    if number is None:
        return None
    street = number.street
    names = list(street.names.order_by("valid_from"))
    current = next(n for n in names if n.valid_from <= on and (n.valid_to is None or n.valid_to > on))
    former = [FormerName(n.name, n.valid_from, n.valid_to, n.decision) for n in names
              if n.valid_to is not None and n.valid_to <= on and n.name != current.name]
    locality = street.locality
    return Address(street_name=current.name, number=number.number, street_code=street.code,
                   name_decision=current.decision, locality=locality.name if locality else "",
                   locality_siruta=locality.siruta if locality else None,
                   postal_code=locality.postal_code if locality else "", uat=street.uat.name,
                   uat_siruta=street.uat.siruta, county=street.uat.county, former_names=former[::-1])


def streets_of(*, uat_id: int, on: date | None = None) -> list[tuple[int, str]]:
    """(street id, name in force) of a UAT's streets, by name: the choices of a number assignment."""
    on = on or timezone.localdate()
    rows = (StreetName.objects.filter(in_force(on), street__uat_id=uat_id)
            .order_by("name").values_list("street_id", "name"))
    return list(rows)
