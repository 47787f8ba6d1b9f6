"""OGC API – Features under /ogc/, read by the test client, GDAL (ogrinfo OAPIF) and OWSLib."""
from __future__ import annotations

import subprocess

import pytest
from owslib.ogcapi.features import Features

from tests.conftest import BACAU_E, BACAU_N
from tests.layers.conftest import lonlat

pytestmark = pytest.mark.django_db


def test_the_landing_page_links_the_api_conformance_and_collections(layers_world, client):
    doc = client.get("/ogc/").json()
    rels = {link["rel"]: link for link in doc["links"]}
    assert rels["service-desc"]["href"] == "http://testserver/ogc/api"
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert rels["data"]["href"] == "http://testserver/ogc/collections"
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in client.get("/ogc/conformance").json()["conformsTo"]


def test_collections_are_the_parcels_and_public_vector_layers_with_crs_lists(layers_world, client):
    doc = client.get("/ogc/collections").json()
    assert [c["id"] for c in doc["collections"]] == ["parcels", "lmi-monument"]
    parcels = doc["collections"][0]
    assert parcels["storageCrs"] == "http://www.opengis.net/def/crs/EPSG/0/3844"
    assert "http://www.opengis.net/def/crs/EPSG/0/3844" in parcels["crs"]
    minlon, minlat, maxlon, maxlat = parcels["extent"]["spatial"]["bbox"][0]
    lon, lat = lonlat(BACAU_E, BACAU_N)
    assert minlon <= lon + 1e-4 and maxlon >= lon and minlat <= lat + 1e-4 and maxlat >= lat
    assert client.get("/ogc/collections/secret-gas").status_code == 404


def test_items_are_paged_with_number_matched_and_next_links(layers_world, client):
    response = client.get("/ogc/collections/parcels/items?limit=1")
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    doc = response.json()
    assert (doc["numberMatched"], doc["numberReturned"]) == (2, 1)
    nxt = next(link["href"] for link in doc["links"] if link["rel"] == "next")
    second = client.get(nxt.replace("http://testserver", "")).json()
    assert second["features"][0]["properties"]["cadastral_number"] == "70002"
    assert not [link for link in second["links"] if link["rel"] == "next"]


def test_items_in_stereo70_are_northing_first_as_the_epsg_definition_says(layers_world, client):
    crs = "http://www.opengis.net/def/crs/EPSG/0/3844"
    bbox = f"{BACAU_N},{BACAU_E},{BACAU_N + 30},{BACAU_E + 30}"  # northing first in bbox-crs 3844 as well
    response = client.get("/ogc/collections/parcels/items", {"crs": crs, "bbox-crs": crs, "bbox": bbox})
    assert response["Content-Crs"] == f"<{crs}>"
    doc = response.json()
    assert doc["numberMatched"] == 1
    assert doc["features"][0]["geometry"]["coordinates"][0][0][0] == [BACAU_N + 5, BACAU_E + 5]


def test_a_single_item_and_missing_items(layers_world, client):
    pk = layers_world["p1"].pk
    doc = client.get(f"/ogc/collections/parcels/items/{pk}").json()
    assert doc["id"] == pk and doc["properties"]["cadastral_number"] == "70001"
    assert client.get("/ogc/collections/parcels/items/999999").status_code == 404
    assert client.get("/ogc/collections/parcels/items/abc").status_code == 404


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=x", "limit"), ("bbox=1,2", "bbox"),
                                          ("crs=EPSG:2154", "crs"), ("bbox-crs=foo&bbox=1,2,3,4", "bbox-crs")])
def test_bad_parameters_are_400_with_an_ogc_exception(layers_world, client, query, field):
    response = client.get(f"/ogc/collections/parcels/items?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue" and response.json()["description"].startswith(field)


def test_the_openapi_document_is_openapi_3_with_the_items_path(client):
    response = client.get("/ogc/api")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    doc = response.json()
    assert doc["openapi"].startswith("3.0") and "/collections/{collectionId}/items" in doc["paths"]


def test_gdal_reads_the_collections_and_features(transactional_db, layers_world, live_server):
    url = f"OAPIF:{live_server.url}/ogc"
    listing = subprocess.run(["ogrinfo", "-ro", "-q", url], capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert "parcels" in listing.stdout and "lmi-monument" in listing.stdout
    features = subprocess.run(["ogrinfo", "-ro", "-al", url, "lmi-monument"], capture_output=True, text=True,
                              timeout=60)
    assert features.returncode == 0, features.stderr
    assert "Feature Count: 2" in features.stdout or features.stdout.count("OGRFeature(lmi-monument)") == 2
    assert "cod_lmi (String) = BC-1" in features.stdout and "grupa (String) = B" in features.stdout


def test_owslib_reads_the_collections_and_items(transactional_db, layers_world, live_server):
    api = Features(f"{live_server.url}/ogc")
    assert [c["id"] for c in api.collections()["collections"]] == ["parcels", "lmi-monument"]
    assert "/collections/{collectionId}/items" in api.api()["paths"]
    lon, lat = lonlat(BACAU_E + 10, BACAU_N + 10)
    items = api.collection_items("parcels", bbox=[lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005], limit=5)
    assert [f["properties"]["cadastral_number"] for f in items["features"]] == ["70001"]
    first_monument = layers_world["version"].features.order_by("id").first()
    one = api.collection_item("lmi-monument", str(first_monument.pk))
    assert one["properties"]["cod_lmi"] == "BC-1" and one["id"] == first_monument.pk
