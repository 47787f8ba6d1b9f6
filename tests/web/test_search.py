"""The map's search box: cadastral number exactly, else address words through the trigram index."""
from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client

from parcels.search import SEARCH_LIMIT, parcel_search_sql
from tests.conftest import BACAU_E, BACAU_N

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(cast, parcel_factory):
    """30 parcels on Strada Mărășești (nr. 1…30) and one on another street."""
    parcels = [parcel_factory(e=BACAU_E + i * 25, n=BACAU_N, size=20.0, cadastral_number=str(80001 + i),
                              address=f"Strada Mărășești nr. {i + 1}, Bacău") for i in range(30)]
    other = parcel_factory(e=BACAU_E, n=BACAU_N + 100, size=20.0, cadastral_number="90001",
                           address="Strada Ștefan cel Mare nr. 3, Bacău")
    return parcels, other


def search(q: str):
    return Client().get("/api/v1/parcels/search/", {"q": q})


def test_a_cadastral_number_finds_exactly_that_parcel(street):
    body = search("80005").json()
    assert [f["properties"]["cadastral_number"] for f in body["features"]] == ["80005"]
    assert body["features"][0]["properties"]["address"] == "Strada Mărășești nr. 5, Bacău"


def test_address_words_in_any_order_find_the_parcel_best_match_first(street):
    body = search("3 mărășești").json()
    found = [f["properties"]["address"] for f in body["features"]]
    # every parcel whose address holds both words (nr. 3, 13, 23, 30), the closest match first
    assert found[0] == "Strada Mărășești nr. 3, Bacău"
    assert sorted(found) == sorted(f"Strada Mărășești nr. {n}, Bacău" for n in (3, 13, 23, 30))
    assert "Ștefan" not in " ".join(found)


def test_a_common_word_returns_at_most_the_cap(street):
    body = search("Strada").json()
    assert len(body["features"]) == SEARCH_LIMIT


def test_a_query_without_a_word_of_three_characters_is_a_400_naming_q(street):
    response = search("3")
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


@pytest.mark.parametrize("q", ["100%", "nr\\", "a_b c", "%%%", "Mărășești \\"])
def test_like_wildcards_and_backslashes_are_literal_text_not_a_500(street, q):
    response = search(q)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["features"] == []


def test_the_address_query_uses_the_trigram_index(street):
    sql, params = parcel_search_sql("Mărășești 7")
    with transaction.atomic(), connection.cursor() as cur:
        # With sequential scans priced out, a query shape the index cannot serve would still show one.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "parcel_address_trgm_idx" in plan
    assert "Seq Scan on parcels_parcel" not in plan
