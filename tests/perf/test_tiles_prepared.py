"""The tile query runs as a server-side prepared statement with a binary result: planned once per
connection and source, not once per tile."""
from __future__ import annotations

import mapbox_vector_tile
import pytest
from django.db import connection

from tests.conftest import BACAU_E, BACAU_N
from tests.layers.conftest import lonlat, tile_for

pytestmark = pytest.mark.django_db


def _tile_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%ST_AsMVT%"])
        return [row[0] for row in cursor.fetchall()]


def test_parcel_tiles_share_one_prepared_statement(territory, parcel_factory, api):
    parcel_factory(cadastral_number="91", e=BACAU_E, n=BACAU_N, size=20)
    before = len(_tile_statements())
    tiles = [api().get(f"/tiles/parcels/16/{x}/{y}.pbf")
             for x, y in (tile_for(*lonlat(BACAU_E + 5 + de, BACAU_N + 5), 16) for de in (0, 900, 1800))]
    assert all(response.status_code == 200 for response in tiles)
    features = mapbox_vector_tile.decode(tiles[0].content)["parcels"]["features"]
    assert [f["properties"]["cadastral_number"] for f in features] == ["91"]
    statements = _tile_statements()
    assert len(statements) == before + 1 and "parcels_parcel" in statements[-1]
