"""The showcase parcels are where the product brief promises, measured here with ST_Distance."""
from __future__ import annotations

import pytest
from django.db import connection

from demo.selectors import showcase_list, showcase_parcels
from parcels.models import Parcel

pytestmark = pytest.mark.django_db

# key: (theme, feature source_id, min m, max m) measured from the parcel to that feature.
PROMISES = {
    "monument-80m-urban": ("lmi_monument", "BC-IV-m-A-00930", 70, 90),
    "monument-150m-urban": ("lmi_monument", "BC-IV-m-A-00930", 140, 160),
    "monument-150m-rural": ("lmi_monument", "BC-I-s-B-00752", 140, 160),
    "monument-300m-extravilan": ("lmi_monument", "BC-I-s-B-00753", 250, 350),
    "monument-on-parcel": ("lmi_monument", "BC-II-m-A-00757.01", 0, 0),
    "monument-protection-zone": ("monument_protection_zone", "ZP-BC-II-m-A-00757.01", 0, 0),
    "lea110-within-10m": ("power_line_110kV", "LEA110-1", 0.01, 10),
    "lea110-30m": ("power_line_110kV", "LEA110-1", 25, 35),
    "lea20-within-12m": ("power_line_20kV", "LEA20-1", 0.01, 12),
    "river-lt10": ("river_albia_minora", "TREBIS", 0.01, 5),
    "river-10-50": ("river_albia_minora", "SEACA", 5.01, 15),
    "river-gt50": ("river_albia_minora", "BISTRITA", 15.01, 20),
    "lake-5m": ("natural_lake_mean_level", "LAC-VALEA-SEACA", 0.01, 5),
    "flood-and-natura2000": ("flood_hazard_zone", "INUND-BISTRITA", 0, 0),
    "national-road": ("road_axis_national", "DN2", 0.01, 22),
    "railway": ("railway_axis", "CF500", 0.01, 20),
    "county-road": ("road_axis_county", "DJ-DEMO", 0.01, 20),
    "gas-pipeline": ("gas_pipeline", "GAZ-MP-1", 0, 0),
}
FEATURE = ("(SELECT f.geom FROM layers_feature f JOIN layers_layerversion v ON v.id = f.version_id AND v.is_current"
           " JOIN layers_layer l ON l.id = v.layer_id AND l.theme = %s WHERE f.source_id = %s)")


def one(sql: str, params):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def distance(parcel_id: int, theme: str, source_id: str) -> float:
    return one(f"SELECT ST_Distance(p.geom, {FEATURE}) FROM parcels_parcel p WHERE p.id = %s",
               [theme, source_id, parcel_id])[0]


def siruta_and_class(parcel_id: int) -> tuple[int, bool]:
    """(SIRUTA of the parcel's UAT, whether the parcel lies within an intravilan limit)."""
    return one(
        "SELECT u.siruta, EXISTS (SELECT 1 FROM layers_feature f JOIN layers_layerversion v ON v.id = f.version_id"
        " AND v.is_current JOIN layers_layer l ON l.id = v.layer_id AND l.theme = 'intravilan_limit'"
        " WHERE ST_Within(p.geom, f.geom)) FROM parcels_parcel p JOIN parcels_uat u ON u.id = p.uat_id WHERE p.id = %s",
        [parcel_id])


def test_every_showcase_key_has_a_parcel(county):
    assert county.missing_showcase == []
    assert set(PROMISES) <= set(showcase_parcels())


@pytest.mark.parametrize("key", sorted(PROMISES))
def test_the_showcase_parcel_is_at_the_promised_distance(county, key):
    theme, source_id, lo, hi = PROMISES[key]
    d = distance(showcase_parcels()[key], theme, source_id)
    assert lo <= d <= hi


def test_the_80m_parcel_is_urban_intravilan_and_near_no_other_monument(county):
    pid = showcase_parcels()["monument-80m-urban"]
    assert siruta_and_class(pid) == (20297, True)
    assert one(f"SELECT count(*) FROM parcels_parcel p, ({FEATURE.replace(' WHERE f.source_id = %s', '')}) m"
               " WHERE p.id = %s AND ST_DWithin(p.geom, m.geom, 100)", ["lmi_monument", pid])[0] == 1


def test_the_150m_urban_parcel_is_more_than_100m_from_every_monument_and_outside_protection_zones(county):
    pid = showcase_parcels()["monument-150m-urban"]
    assert siruta_and_class(pid) == (20297, True)
    nearest = one("SELECT min(ST_Distance(p.geom, f.geom)) FROM parcels_parcel p, layers_feature f"
                  " JOIN layers_layerversion v ON v.id = f.version_id AND v.is_current JOIN layers_layer l"
                  " ON l.id = v.layer_id AND l.theme = 'lmi_monument' WHERE p.id = %s", [pid])[0]
    assert nearest > 100
    assert one(f"SELECT ST_Intersects(p.geom, {FEATURE}) FROM parcels_parcel p WHERE p.id = %s",
               ["monument_protection_zone", "ZP-BC-II-m-A-00757.01", pid])[0] is False


def test_the_150m_rural_parcel_is_in_the_intravilan_of_the_comuna(county):
    assert siruta_and_class(showcase_parcels()["monument-150m-rural"]) == (26083, True)


def test_the_extravilan_parcel_is_outside_every_intravilan(county):
    assert siruta_and_class(showcase_parcels()["monument-300m-extravilan"])[1] is False
    assert siruta_and_class(showcase_parcels()["extravilan-field"])[1] is False


def test_the_30m_parcel_is_outside_the_110kv_corridor(county):
    assert distance(showcase_parcels()["lea110-30m"], "power_line_110kV", "LEA110-1") > 18.5


def test_the_flood_parcel_lies_inside_both_the_flood_zone_and_natura2000(county):
    pid = showcase_parcels()["flood-and-natura2000"]
    for theme, source in (("flood_hazard_zone", "INUND-BISTRITA"), ("natura2000_site", "ROSPA0063")):
        assert one(f"SELECT ST_Within(p.geom, {FEATURE}) FROM parcels_parcel p WHERE p.id = %s",
                   [theme, source, pid])[0] is True


def test_the_monument_parcel_carries_the_real_point_of_the_monument(county):
    pid = showcase_parcels()["monument-on-parcel"]
    assert one(f"SELECT ST_Contains(p.geom, {FEATURE}) FROM parcels_parcel p WHERE p.id = %s",
               ["lmi_monument", "BC-II-m-A-00757.01", pid])[0] is True


def test_the_rural_showcase_is_in_a_commune_without_an_urbanism_department(county):
    parcel = Parcel.objects.select_related("uat").get(pk=showcase_parcels()["monument-150m-rural"])
    assert (parcel.uat.name, parcel.uat.kind, parcel.uat.has_urbanism_department) == ("Valea Seacă", "comuna", False)


def test_zoning_showcase_parcels_lie_in_their_utr(county):
    for key, code in (("utr-m2", "M2"), ("utr-l1a", "L1a"), ("utr-id", "ID")):
        pid = showcase_parcels()[key]
        assert one(f"SELECT ST_Within(p.geom, {FEATURE}) FROM parcels_parcel p WHERE p.id = %s",
                   ["utr_polygon", f"UTR-20297-{code}", pid])[0] is True


def test_showcase_list_reports_rules_and_measured_distances(county):
    items = {s.key: s for s in showcase_list()}
    assert items["monument-80m-urban"].rules == ["R2"]
    assert items["monument-150m-urban"].rules == []
    assert 70 <= items["monument-80m-urban"].distance_m <= 90
    assert items["river-gt50"].parcel.uat.siruta == 20297
