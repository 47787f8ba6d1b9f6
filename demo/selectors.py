"""Reads of the demo app: the showcase parcels and a checksum of the generated county."""
from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from demo.catalog import UATS
from demo.models import ShowcaseParcel


def showcase_list() -> QuerySet[ShowcaseParcel]:
    """The showcase parcels with their parcel and UAT (public demo data: no scoping needed)."""
    return ShowcaseParcel.objects.select_related("parcel", "parcel__uat").order_by("key")


def showcase_parcels() -> dict[str, int]:
    """key -> parcel id, e.g. {"monument-80m-urban": 1234, …}."""
    return dict(ShowcaseParcel.objects.values_list("key", "parcel_id"))


def demo_checksum() -> str:
    """md5 over (SIRUTA, cadastral number, geometry) of every demo parcel, in a stable order.

    Ids are left out on purpose: they depend on the sequence, not on the seed.
    """
    with connection.cursor() as cur:
        cur.execute(
            "SELECT md5(string_agg(u.siruta || ':' || p.cadastral_number || ':' || encode(ST_AsBinary(p.geom), 'hex')"
            " || ':' || coalesce(b.fp, ''), ',' ORDER BY u.siruta, p.cadastral_number))"
            " FROM parcels_parcel p JOIN parcels_uat u ON u.id = p.uat_id"
            " LEFT JOIN LATERAL (SELECT string_agg(x.cadastral_id || encode(ST_AsBinary(x.footprint), 'hex'), ','"
            " ORDER BY x.cadastral_id) AS fp FROM parcels_building x WHERE x.parcel_id = p.id) b ON true"
            " WHERE u.siruta = ANY(%s)",
            [[u.siruta for u in UATS]],
        )
        return cur.fetchone()[0] or ""
