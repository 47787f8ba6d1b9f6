"""POT and CUT count the lot's existing buildings that stay (Law 350/2001 Annex 2: all buildings of
the lot); the one the footprint replaces or extends (R34's replaced_min_share) is not counted."""
from __future__ import annotations

import json

import pytest

from layers.models import ZoningUnit
from parcels.models import Building
from rules.services import analysis_create
from tests.rules.conftest import BACAU_E, BACAU_N, box

pytestmark = pytest.mark.django_db

E0, N0 = BACAU_E - 100, BACAU_N  # south-west corner of the lots


@pytest.fixture
def regime(make_layer, intravilan, seeded):
    make_layer("utr_polygon", [(box(BACAU_E - 500, BACAU_N - 500, BACAU_E, BACAU_N + 500), {"utr_code": "L1a"})])
    return ZoningUnit.objects.create(uat=seeded["uat_a"], code="L1a", name="Locuințe", pot_max=60, cut_max=2,
                                     height_max_m=12)


@pytest.fixture
def built_parcel(regime, parcel_factory):
    """A 30 × 30 m parcel (900 m²) with C1 (8 × 8 m, 3 levels) and C2 (6 × 6 m, 1 level)."""
    parcel = parcel_factory(e=E0, n=N0, size=30)
    Building.objects.create(parcel=parcel, cadastral_id="C1", footprint=box(E0 + 2, N0 + 20, E0 + 10, N0 + 28),
                            levels=3, height_m=9, built_area_m2=64)
    Building.objects.create(parcel=parcel, cadastral_id="C2", footprint=box(E0 + 18, N0 + 6, E0 + 24, N0 + 12),
                            levels=1, built_area_m2=36)
    return parcel


def rect(e0, n0, e1, n1):
    return json.loads(box(e0, n0, e1, n1)[0].json)


def checks(parcel, **works) -> dict:
    result = analysis_create(parcels=[parcel.pk], works=works, crs=3844).result
    return {c["check"]: c for c in result["compliance"]["checks"]}


def test_pot_counts_the_buildings_that_stay(built_parcel):
    # 12 × 10 m away from both buildings: (120 + 64 + 36) / 900 = 24.44 %.
    c = checks(built_parcel, footprint=rect(E0 + 14, N0 + 18, E0 + 26, N0 + 28))["pot"]
    assert c == {"check": "pot", "value": 24.44, "limit": 60.0, "unit": "%", "status": "pass", "rule": "R36",
                 "built_m2": 220.0, "footprint_m2": 120.0, "existing_kept_m2": 100.0,
                 "existing_kept": ["C1", "C2"], "replaced": []}


def test_the_building_the_footprint_replaces_is_not_counted(built_parcel):
    # Covers 4 × 6 of C2's 6 × 6 (67 % >= 50 %): C2 is replaced, its 2 × 6 m outside the footprint are
    # not counted; (80 + 64) / 900 = 16 %, not (80 + 12 + 64) / 900.
    c = checks(built_parcel, footprint=rect(E0 + 20, N0 + 4, E0 + 28, N0 + 14))["pot"]
    assert (c["value"], c["built_m2"], c["existing_kept_m2"]) == (16.0, 144.0, 64.0)
    assert (c["existing_kept"], c["replaced"]) == (["C1"], ["C2"])


def test_cut_adds_the_floor_area_of_the_buildings_that_stay(built_parcel):
    # C1 64 m² × 3 levels + C2 36 m² × 1 level (no floor area is registered: estimated) + 240 m² of works.
    c = checks(built_parcel, footprint=rect(E0 + 14, N0 + 18, E0 + 26, N0 + 28), gross_floor_area_m2=240)["cut"]
    assert (c["value"], c["limit"], c["status"]) == (0.52, 2.0, "pass")
    assert (c["gross_floor_area_m2"], c["works_gfa_m2"], c["existing_kept_gfa_m2"]) == (468.0, 240.0, 228.0)
    assert c["existing_gfa_estimated"] is True and c["existing_kept"] == ["C1", "C2"]
    replacing = checks(built_parcel, footprint=rect(E0 + 20, N0 + 4, E0 + 28, N0 + 14), gross_floor_area_m2=240)["cut"]
    assert (replacing["value"], replacing["existing_kept_gfa_m2"], replacing["replaced"]) == (0.48, 192.0, ["C2"])


def test_a_pot_that_passes_alone_fails_with_the_building_that_stays(regime, parcel_factory):
    a, b = E0 + 40, E0 + 80
    empty, built = parcel_factory(e=a, n=N0, size=20), parcel_factory(e=b, n=N0, size=20)  # 400 m² each
    Building.objects.create(parcel=built, cadastral_id="C1", footprint=box(b + 14, N0 + 2, b + 19, N0 + 18),
                            levels=1, built_area_m2=80)
    alone = checks(empty, footprint=rect(a + 1, N0 + 2, a + 13, N0 + 17))["pot"]  # 12 × 15 = 180 m²: 45 %
    assert (alone["value"], alone["status"]) == (45.0, "pass") and "existing_kept" not in alone
    result = analysis_create(parcels=[built.pk], works={"footprint": rect(b + 1, N0 + 2, b + 13, N0 + 17)}, crs=3844)
    c = {c["check"]: c for c in result.result["compliance"]["checks"]}["pot"]
    assert (c["value"], c["limit"], c["status"], c["existing_kept"], c["existing_kept_m2"]) == (65.0, 60.0, "fail", ["C1"], 80.0)
    assert result.result["compliance"]["passed"] is False


def test_a_drawn_lot_counts_the_buildings_standing_on_it(built_parcel):
    # The same lot drawn instead of named: its buildings are those with a point of their footprint inside it.
    works = {"footprint": rect(E0 + 14, N0 + 18, E0 + 26, N0 + 28)}
    drawn = analysis_create(geometry=box(E0, N0, E0 + 30, N0 + 30), works=works, crs=3844).result
    c = {c["check"]: c for c in drawn["compliance"]["checks"]}["pot"]
    assert (c["value"], c["existing_kept"]) == (checks(built_parcel, **works)["pot"]["value"], ["C1", "C2"])
    beside = analysis_create(geometry=box(E0 + 30, N0, E0 + 60, N0 + 30), works=works, crs=3844).result
    assert "existing_kept" not in {c["check"]: c for c in beside["compliance"]["checks"]}["pot"]
