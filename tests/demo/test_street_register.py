"""The demo county's street register: derived from its streets layer and its parcels' addresses, with a
renaming in the history of one street per UAT."""
from __future__ import annotations

from datetime import date

import pytest

from addresses.models import BuildingNumber, Street, StreetName
from addresses.selectors import address_of
from demo.streetregister import FORMER_NAME
from layers.models import Feature

pytestmark = pytest.mark.django_db


def test_the_demo_streets_and_parcels_make_the_street_register(county):
    streets = Feature.objects.filter(version__layer__slug="demo-streets", version__is_current=True)
    assert Street.objects.count() == streets.count() > 0
    assert StreetName.objects.filter(valid_to__isnull=True).count() == streets.count()
    numbered = BuildingNumber.objects.filter(valid_to__isnull=True).select_related("parcel")
    intravilan = county.parcels  # every parcel; the extravilan ones have no number
    assert 0.3 * intravilan < numbered.count() < intravilan
    sample = numbered.order_by("id")[:50]
    for number in sample:
        address = address_of(parcel=number.parcel)
        assert number.parcel.address.startswith(f"{address.street_name} nr. {address.number}, ")
        assert number.point.within(number.parcel.geom)
    renamed = StreetName.objects.filter(name=FORMER_NAME)
    assert renamed.count() == Street.objects.values("uat").distinct().count()
    former = renamed.first()
    on_street = BuildingNumber.objects.filter(street=former.street).first()
    then = address_of(parcel=on_street.parcel, on=date(1989, 12, 31))
    now = address_of(parcel=on_street.parcel)
    assert then.street_name == FORMER_NAME and now.street_name != FORMER_NAME
    assert [f.name for f in now.former_names] == [FORMER_NAME]
