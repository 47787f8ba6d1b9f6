"""GET /tiles/{layer}/{z}/{x}/{y}.pbf: ST_AsMVT tiles decoded with mapbox_vector_tile."""
from __future__ import annotations

import mapbox_vector_tile
import pytest

from parcels.models import Building
from tests.conftest import BACAU_E, BACAU_N, square
from tests.layers.conftest import lonlat, tile_for

pytestmark = pytest.mark.django_db
LON, LAT = lonlat(BACAU_E + 15, BACAU_N + 15)


def _get(api, layer, z, **headers):
    x, y = tile_for(LON, LAT, z)
    return api().get(f"/tiles/{layer}/{z}/{x}/{y}.pbf", **headers)


def test_a_z16_parcel_tile_holds_the_parcel_with_its_cadastral_number(layers_world, api):
    response = _get(api, "parcels", 16)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Cache-Control"].startswith("public, max-age=")
    features = mapbox_vector_tile.decode(response.content)["parcels"]["features"]
    assert [(f["id"], f["properties"]["cadastral_number"]) for f in features] == [(layers_world["p1"].pk, "70001")]
    assert features[0]["properties"]["uat_siruta"] == 20297
    assert features[0]["geometry"]["type"] == "Polygon"


def test_parcels_are_not_drawn_below_zoom_14(layers_world, api):
    response = _get(api, "parcels", 13)
    assert response.status_code == 200 and response.content == b""
    assert mapbox_vector_tile.decode(_get(api, "parcels", 14).content)["parcels"]["features"]


def test_buildings_appear_from_zoom_15(layers_world, api):
    Building.objects.create(parcel=layers_world["p1"], cadastral_id="C1", footprint=square(BACAU_E + 8, BACAU_N + 8, 10),
                            levels=2, built_area_m2=100)
    assert _get(api, "buildings", 14).content == b""
    features = mapbox_vector_tile.decode(_get(api, "buildings", 15).content)["buildings"]["features"]
    assert [(f["properties"]["cadastral_id"], f["properties"]["levels"]) for f in features] == [("C1", 2)]


def test_a_constraint_layer_tile_carries_the_feature_attributes(layers_world, api):
    features = mapbox_vector_tile.decode(_get(api, "lmi-monument", 16).content)["lmi-monument"]["features"]
    assert len(features) == 1
    props = features[0]["properties"]
    assert (props["cod_lmi"], props["grupa"], props["name"]) == ("BC-1", "A", "Biserica")
    assert props["feature_id"] == features[0]["id"]


def test_an_etag_match_answers_304_without_a_body(layers_world, api):
    for layer in ("parcels", "lmi-monument"):
        first = _get(api, layer, 16)
        again = _get(api, layer, 16, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]


def test_a_changed_parcel_changes_the_etag(layers_world, api):
    before = _get(api, "parcels", 16)["ETag"]
    layers_world["p1"].cadastral_number = "70009"
    layers_world["p1"].save(update_fields=["cadastral_number"])
    assert _get(api, "parcels", 16, HTTP_IF_NONE_MATCH=before).status_code == 200


@pytest.mark.parametrize("path, status", [
    ("/tiles/parcels/25/0/0.pbf", 400), ("/tiles/parcels/3/8/0.pbf", 400), ("/tiles/parcels/3/0/9.pbf", 400),
    ("/tiles/parcels/-1/0/0.pbf", 404), ("/tiles/nope/3/0/0.pbf", 404), ("/tiles/secret-gas/3/0/0.pbf", 404),
])
def test_bad_tile_addresses_and_unknown_or_private_layers_are_refused(layers_world, api, path, status):
    assert api().get(path).status_code == status


@pytest.mark.parametrize("layer", ["parcels", "lmi-monument"])
def test_tiles_are_gzipped_when_accepted_with_their_own_etag_and_vary(layers_world, api, layer):
    import gzip

    plain = _get(api, layer, 16)
    packed = _get(api, layer, 16, HTTP_ACCEPT_ENCODING="br, gzip;q=0.9")
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in packed["Vary"]
    assert packed["ETag"] != plain["ETag"] and packed["ETag"].endswith('-gzip"')
    # If-None-Match holds for the representation the request selects, for both encodings.
    again = _get(api, layer, 16, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert (again.status_code, again["ETag"]) == (304, packed["ETag"]) and "Accept-Encoding" in again["Vary"]
    assert _get(api, layer, 16, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304
    assert _get(api, layer, 16, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 200


def test_tiles_and_the_map_style_answer_head(layers_world, api):
    x, y = tile_for(LON, LAT, 16)
    client = api()
    for path in (f"/tiles/parcels/16/{x}/{y}.pbf", f"/tiles/lmi-monument/16/{x}/{y}.pbf", "/map/style.json", "/"):
        get, head = client.get(path), client.head(path)
        assert (get.status_code, head.status_code) == (200, 200), path
        assert head.content == b"" and head["Content-Type"] == get["Content-Type"], path
    assert client.post(f"/tiles/parcels/16/{x}/{y}.pbf").status_code == 405
