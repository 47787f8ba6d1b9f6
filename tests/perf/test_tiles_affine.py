"""Parcel tiles from zoom 13 use a per-tile affine map instead of ST_Transform: same features,
vertices within one tile unit of the exact reprojection."""
from __future__ import annotations

import mapbox_vector_tile
import pytest
from django.db import connection

from layers.tiles import AFFINE_MIN_ZOOM, BUILTIN, tile_affine, tile_params, tile_sql
from tests.conftest import BACAU_E, BACAU_N
from tests.layers.conftest import lonlat, tile_for

pytestmark = pytest.mark.django_db


def _exact_tile(z: int, x: int, y: int) -> bytes:
    _min_zoom, props, table, where = BUILTIN["parcels"]
    with connection.cursor() as cursor:
        cursor.execute(tile_sql(props=props, table=table, where=where, affine=False),
                       {"z": z, "x": x, "y": y, "name": "parcels"})
        return bytes(cursor.fetchone()[0] or b"")


def _rings(tile: bytes) -> dict[int, list]:
    features = mapbox_vector_tile.decode(tile, default_options={"y_coord_down": True})["parcels"]["features"]
    return {f["id"]: f["geometry"]["coordinates"][0] for f in features}


@pytest.mark.parametrize("z", [14, 16, 18])
def test_an_affine_tile_has_the_same_parcels_within_one_tile_unit_of_st_transform(territory, parcel_factory, api, z):
    made = [parcel_factory(cadastral_number=f"9{i}", e=BACAU_E + 37 * i, n=BACAU_N + 11 * i, size=23.7)
            for i in range(6)]
    x, y = tile_for(*lonlat(BACAU_E + 60, BACAU_N + 30), z)
    response = api().get(f"/tiles/parcels/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    served, exact = _rings(response.content), _rings(_exact_tile(z, x, y))
    assert set(served) == set(exact) and set(served) <= {p.pk for p in made} and served
    for pk, ring in exact.items():
        assert len(served[pk]) == len(ring)
        worst = max(max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(served[pk], ring, strict=True))
        assert worst <= 1


def test_the_affine_map_is_used_from_zoom_13_only():
    assert tile_affine(AFFINE_MIN_ZOOM - 1, 2300, 1440) is None
    params, affine = tile_params(16, 37664, 23064)
    assert affine and set(params) == {"z", "x", "y", "a", "b", "d", "e", "xoff", "yoff"}
    # Stereo 70 is rotated by about a degree and scaled ~1.45 against Web Mercator at 46.5° N.
    assert 1.3 < params["a"] < 1.6 and abs(params["b"]) < 0.05 and abs(params["a"] - params["e"]) < 0.01
