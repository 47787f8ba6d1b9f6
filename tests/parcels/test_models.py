import pytest
from django.db import DatabaseError, IntegrityError, transaction

from parcels.models import Parcel
from tests.conftest import BACAU_E, BACAU_N, square


def test_a_cadastral_number_is_unique_within_its_uat(parcel_factory, territory):
    parcel_factory(cadastral_number="70001")
    with pytest.raises(IntegrityError), transaction.atomic():
        parcel_factory(cadastral_number="70001")
    assert Parcel.objects.filter(cadastral_number="70001").count() == 1


def test_the_same_cadastral_number_may_exist_in_another_uat(parcel_factory, territory):
    parcel_factory(cadastral_number="70001")
    parcel_factory(cadastral_number="70001", uat=territory["uat_b"], e=BACAU_E - 5000)
    assert Parcel.objects.filter(cadastral_number="70001").count() == 2


def test_stored_parcel_geometry_is_a_valid_multipolygon_in_stereo70(parcel_factory):
    parcel = parcel_factory()
    parcel.refresh_from_db()
    assert parcel.geom.srid == 3844
    assert parcel.geom.geom_type == "MultiPolygon"
    assert parcel.geom.valid
    assert parcel.measured_area_m2 == pytest.approx(400.0)


def test_a_polygon_is_not_accepted_where_a_multipolygon_is_stored(territory):
    polygon = square(BACAU_E, BACAU_N, 10)[0]
    with pytest.raises((DatabaseError, TypeError)), transaction.atomic():
        Parcel.objects.create(uat=territory["uat_a"], cadastral_number="1", geom=polygon, measured_area_m2=100)
