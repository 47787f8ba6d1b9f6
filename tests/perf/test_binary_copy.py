"""The first import into an empty parcels table goes through binary COPY built column-wise:
every value must arrive exactly as the text path would have stored it."""
from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry

from parcels.imports import binary_copy, import_parcels_file
from parcels.models import Parcel
from tests.conftest import BACAU_E, BACAU_N
from tests.parcels.conftest import write_layer

pytestmark = pytest.mark.django_db


def test_a_first_import_stores_text_nulls_polygons_and_multipolygons_exactly(territory, tmp_path):
    a = shapely.box(BACAU_E, BACAU_N, BACAU_E + 20, BACAU_N + 30)
    b = shapely.MultiPolygon([shapely.box(BACAU_E + 40, BACAU_N, BACAU_E + 50, BACAU_N + 10),
                              shapely.box(BACAU_E + 60, BACAU_N, BACAU_E + 70, BACAU_N + 10)])
    path = write_layer(tmp_path / "p.gpkg", [a, b], {
        "cadastral_number": ["70001", "70002"], "cf_number": ["CF 1", ""],
        "address": ["Str. Ștefan cel Mare nr. 5", "tab\there, back\\slash, \"quote\""],
        "legal_area_m2": [601.5, None], "use_category": ["cc", "A"]}, driver="GPKG")
    report = import_parcels_file(path=path, uat_siruta=20297)
    assert (report.inserted, report.rejected) == (2, 0)
    first, second = Parcel.objects.order_by("cadastral_number")
    assert (first.uat_id, first.cf_number, first.address, first.legal_area_m2, first.use_category) == (
        territory["uat_a"].pk, "CF 1", "Str. Ștefan cel Mare nr. 5", 601.5, "CC")
    assert (second.address, second.legal_area_m2, second.use_category) == ('tab\there, back\\slash, "quote"', None, "A")
    assert first.geom.srid == 3844 and first.geom.geom_type == "MultiPolygon" and len(second.geom) == 2
    assert first.geom.equals(GEOSGeometry(a.wkt, srid=3844)) and second.geom.equals(GEOSGeometry(b.wkt, srid=3844))
    assert first.measured_area_m2 == pytest.approx(600.0) and second.measured_area_m2 == pytest.approx(200.0)
    assert first.updated_at is not None and abs((second.updated_at - first.updated_at).total_seconds()) < 1


def test_binary_rows_have_the_postgres_layout():
    head = binary_copy.fixed_fields(2, 3, [(">i8", np.array([7, 8])), (">f8", np.array([1.5, 2.0]))])
    assert head[0].as_py() == b"\x00\x03" + b"\x00\x00\x00\x08" + (7).to_bytes(8, "big") + b"\x00\x00\x00\x08" \
        + np.array([1.5], ">f8").tobytes()
    legal = binary_copy.nullable_float8(np.array([math.nan, 3.0]))
    assert legal[0].as_py() == b"\xff\xff\xff\xff" and legal[1].as_py() == b"\x00\x00\x00\x08" + np.array([3.0], ">f8").tobytes()
    lengths, values = binary_copy.text_field(["ș", ""])
    assert (lengths[0].as_py(), values[0].as_py(), lengths[1].as_py()) == (b"\x00\x00\x00\x02", "ș".encode(), b"\x00" * 4)
    payload = binary_copy.rows_payload([head, legal, lengths, values])
    assert bytes(payload).startswith(b"\x00\x03\x00\x00\x00\x08") and len(payload) == 2 * 26 + (4 + 12) + 2 * 4 + 2


def test_an_odd_wkb_encoding_is_detected_for_rewriting():
    polygon = shapely.box(0, 0, 1, 1)
    wkb = pa.array([shapely.to_wkb(polygon), shapely.to_wkb(polygon, byte_order=0),
                    shapely.to_wkb(shapely.MultiPolygon([polygon]))], pa.binary())
    assert binary_copy.is_plain_polygon_wkb(wkb).tolist() == [True, False, True]
