"""A street register on the test territory: Strada Mărășești (formerly Strada Republicii until 1 March 1990),
parcel 70001 at number 1, parcel 70002 without a number."""
from __future__ import annotations

from datetime import date

import pytest
from django.contrib.gis.geos import LineString

from addresses import services
from parcels.models import Locality
from tests.conftest import BACAU_E, BACAU_N


@pytest.fixture
def street_register(territory):
    locality = Locality.objects.create(siruta=20313, name="Bacău", uat=territory["uat_a"], kind="municipiu reședință",
                                       is_seat=True, urban=True, postal_code="600001")
    street = services.street_add(uat=territory["uat_a"], locality=locality, code="BC-0417", name="Strada Republicii",
                                 valid_from=date(1948, 1, 1), decision="Decizia Sfatului Popular 12/1948",
                                 axis=LineString((BACAU_E - 10, BACAU_N - 5), (BACAU_E + 400, BACAU_N - 5), srid=3844))
    services.street_rename(street=street, name="Strada Mărășești", on=date(1990, 3, 1), decision="HCL 7/1990")
    return {"street": street, "locality": locality}


def number(parcel, street, text: str = "1"):
    return services.number_assign(parcel=parcel, street=street, number=text, on=date(1995, 1, 1),
                                  decision="Dispoziția primarului 3/1995")
