"""The street register is versioned in time: a renaming keeps the old name valid until the day of the change,
a look-up at a past date answers the name of that day, periods never overlap, numbers are unique on a
street at any date, and a GeoPackage / CSV import builds the same register."""
from __future__ import annotations

from datetime import date

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from addresses import selectors, services
from addresses.imports import register_import
from addresses.models import BuildingNumber, StreetName
from parcels.models import Locality
from tests.conftest import BACAU_E, BACAU_N

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(territory):
    locality = Locality.objects.create(siruta=20313, name="Bacău", uat=territory["uat_a"], kind="municipiu reședință",
                                       is_seat=True, urban=True, postal_code="600001")
    return services.street_add(uat=territory["uat_a"], locality=locality, code="S-0042", name="Strada Republicii",
                               valid_from=date(1948, 1, 1), decision="Decizia Sfatului Popular 12/1948",
                               axis=LineString((BACAU_E, BACAU_N - 5), (BACAU_E + 200, BACAU_N - 5), srid=3844))


def test_a_renaming_keeps_the_old_name_until_the_change_and_a_past_lookup_answers_it(street, parcel_factory):
    services.street_rename(street=street, name="Strada Mărășești", on=date(1990, 3, 1), decision="HCL 7/1990")
    names = list(street.names.order_by("valid_from").values_list("name", "valid_from", "valid_to", "decision"))
    assert names == [("Strada Republicii", date(1948, 1, 1), date(1990, 3, 1), "Decizia Sfatului Popular 12/1948"),
                     ("Strada Mărășești", date(1990, 3, 1), None, "HCL 7/1990")]
    assert selectors.street_name_on(street=street, on=date(1990, 2, 28)).name == "Strada Republicii"
    assert selectors.street_name_on(street=street, on=date(1990, 3, 1)).name == "Strada Mărășești"
    assert selectors.street_name_on(street=street, on=date(1947, 12, 31)) is None

    parcel = parcel_factory(e=BACAU_E, n=BACAU_N, size=20)
    services.number_assign(parcel=parcel, street=street, number="12 bis", on=date(1980, 5, 1), decision="Dispoziția 3/1980")
    past = selectors.address_of(parcel=parcel, on=date(1985, 1, 1))
    assert (past.street_name, past.number, past.former_names) == ("Strada Republicii", "12 bis", [])
    today = selectors.address_of(parcel=parcel)
    assert today.street_name == "Strada Mărășești" and today.uat_siruta == 20297 and today.locality_siruta == 20313
    assert [(f.name, f.valid_to, f.decision) for f in today.former_names] == [
        ("Strada Republicii", date(1990, 3, 1), "Decizia Sfatului Popular 12/1948")]
    assert today.text == "Strada Mărășești nr. 12 bis, Bacău, județul Bacău"
    assert selectors.address_of(parcel=parcel, on=date(1979, 1, 1)) is None  # no number yet


def test_history_is_not_rewritten_and_periods_never_overlap(street, parcel_factory):
    with pytest.raises(ValidationError) as err:
        services.street_rename(street=street, name="Strada Nouă", on=date(1940, 1, 1), decision="HCL 1/1940")
    assert "după 01.01.1948" in str(err.value)
    with pytest.raises(ValidationError):
        services.street_rename(street=street, name="Strada Nouă", on=date(2000, 1, 1), decision="")
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses two names at once
        StreetName.objects.create(street=street, name="Strada Paralelă", valid_from=date(1960, 1, 1))
    parcel, other = parcel_factory(e=BACAU_E, n=BACAU_N), parcel_factory(e=BACAU_E + 30, n=BACAU_N)
    services.number_assign(parcel=parcel, street=street, number="12A", on=date(2000, 1, 1))
    with pytest.raises(ValidationError) as err:
        services.number_assign(parcel=other, street=street, number="12 a", on=date(2010, 1, 1))
    assert "deja atribuit" in str(err.value)
    with pytest.raises(ValidationError):
        services.number_assign(parcel=other, street=street, number="douăsprezece")
    with pytest.raises(IntegrityError), transaction.atomic():
        BuildingNumber.objects.create(street=street, number="12a", parcel=other, point=Point(BACAU_E, BACAU_N, srid=3844),
                                      valid_from=date(2020, 1, 1))
    old = BuildingNumber.objects.get(number="12A")
    services.number_retire(number=old, on=date(2015, 1, 1))
    moved = services.number_assign(parcel=other, street=street, number="12A", on=date(2015, 1, 1))
    assert selectors.address_of(parcel=parcel) is None
    assert selectors.address_of(parcel=parcel, on=date(2014, 12, 31)).number == "12A"
    assert selectors.address_of(parcel=other).number == moved.number


def test_a_geopackage_and_a_csv_build_the_register(territory, parcel_factory, tmp_path):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import LineString as Line
    from shapely.geometry import Point as Pt

    parcel = parcel_factory(e=BACAU_E, n=BACAU_N, size=20, cadastral_number="70001")
    gpkg = tmp_path / "nomenclator.gpkg"
    gpd.GeoDataFrame({"uat_siruta": [20297], "code": ["S-1"], "name": ["Strada Libertății"],
                      "valid_from": ["1950-01-01"], "decision": ["HCL 1/1950"]},
                     geometry=[Line([(BACAU_E, BACAU_N - 5), (BACAU_E + 100, BACAU_N - 5)])], crs="EPSG:3844"
                     ).to_file(gpkg, layer="streets", engine="pyogrio")
    gpd.GeoDataFrame({"uat_siruta": [20297], "code": ["S-1"], "name": ["Strada Unirii"],
                      "valid_from": ["2001-06-01"], "decision": ["HCL 55/2001"]},
                     geometry=[None]).to_file(gpkg, layer="street_names", engine="pyogrio")
    gpd.GeoDataFrame({"uat_siruta": [20297], "street_code": ["S-1"], "number": ["3"], "cadastral_number": ["70001"],
                      "valid_from": ["1990-01-01"]},
                     geometry=[Pt(BACAU_E + 10, BACAU_N + 10)], crs="EPSG:3844").to_file(gpkg, layer="numbers",
                                                                                           engine="pyogrio")
    record = register_import(path=gpkg)
    assert (record.streets, record.renamings, record.numbers, record.uat_id) == (1, 1, 1, territory["uat_a"].pk)
    address = selectors.address_of(parcel=parcel)
    assert (address.street_name, address.number) == ("Strada Unirii", "3")
    assert [f.name for f in address.former_names] == ["Strada Libertății"]
    assert selectors.address_of(parcel=parcel, on=date(2001, 5, 31)).street_name == "Strada Libertății"
    again = register_import(path=gpkg)  # idempotent: nothing new
    assert (again.streets, again.renamings, again.numbers) == (0, 0, 0)

    second = parcel_factory(e=BACAU_E + 40, n=BACAU_N, size=20)
    csv = tmp_path / "numere.csv"
    pd.DataFrame({"uat_siruta": [20297], "street_code": ["S-1"], "number": ["5A"], "x": [BACAU_E + 50],
                  "y": [BACAU_N + 10], "valid_from": ["2024-01-10"]}).to_csv(csv, index=False)
    record = register_import(path=csv)
    assert record.numbers == 1
    assert selectors.address_of(parcel=second).number == "5A"  # found by its point
