"""The map's search box: parcels by cadastral number (exact, b-tree) or by the words of their address
(trigram GIN index), as SQL selecting (geom, props) for gis_portal.api.geojson.features_geojson."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from parcels.models import Parcel

SEARCH_LIMIT = 20
# Address matches looked at before ranking: a common word ("Strada") matches most of a county, and
# the trigram index finds candidates fast but ranking them all would not be.
SEARCH_CANDIDATES = 500
SEARCH_MIN_WORD = 3  # trigrams: a shorter word cannot use the index, it only filters the candidates
SEARCH_MAX_WORDS = 6

_PARCEL_PROPS = ("json_build_object('id', p.id, 'cadastral_number', p.cadastral_number, 'uat', u.siruta, "
                 "'uat_name', u.name, 'address', p.address, "
                 "'measured_area_m2', round(p.measured_area_m2::numeric, 2))")


def _like_escape(word: str) -> str:
    """The word as a literal inside ILIKE '%…%' (backslash is ILIKE's escape character)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parcel_search_sql(q: str) -> tuple[str, list]:
    """SQL selecting (geom, props) of the parcels a search finds: a cadastral number exactly (b-tree),
    else the parcels whose address holds every word, in any order (trigram GIN index), best first.

    Raises ValidationError(q) when the query has no word long enough to use the address index
    (one letter or digit would scan every parcel of the county).
    """
    select = f"SELECT p.geom, {_PARCEL_PROPS} AS props FROM "
    if Parcel.objects.filter(cadastral_number=q).exists():
        return (select + "parcels_parcel p JOIN parcels_uat u ON u.id = p.uat_id "
                f"WHERE p.cadastral_number = %s ORDER BY p.id LIMIT {SEARCH_LIMIT}"), [q]
    words = [w for w in q.replace(",", " ").split() if w][:SEARCH_MAX_WORDS]
    if not any(len(w) >= SEARCH_MIN_WORD for w in words):
        raise ValidationError({"q": [_("Scrieți un număr cadastral complet sau cel puțin un cuvânt din adresă "
                                       "de minimum %(n)s litere.") % {"n": SEARCH_MIN_WORD}]})
    where = " AND ".join(["address ILIKE %s"] * len(words))
    patterns = [f"%{_like_escape(w)}%" for w in words]
    sql = (select + f"(SELECT id FROM parcels_parcel WHERE {where} LIMIT {SEARCH_CANDIDATES}) c "
           "JOIN parcels_parcel p ON p.id = c.id JOIN parcels_uat u ON u.id = p.uat_id "
           f"ORDER BY similarity(p.address, %s) DESC, p.cadastral_number, p.id LIMIT {SEARCH_LIMIT}")
    return sql, [*patterns, q]
