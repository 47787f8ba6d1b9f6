"""Reads on institutions: the public list and "which institution of this kind covers this place"."""
from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import QuerySet

from institutions.models import Institution


def institution_list() -> QuerySet[Institution]:
    """Active institutions, for the public list (the serializer never exposes secrets)."""
    return Institution.objects.filter(active=True).order_by("kind", "code")


def institutions_covering(*, kinds: list[str], geometry: GEOSGeometry, uat_ids: list[int],
                          counties: list[str]) -> dict[str, list[Institution]]:
    """Active institutions of the given kinds whose jurisdiction covers the geometry, per kind.

    Most specific first: an explicit jurisdiction area, then a list of UATs, then a whole county,
    then a national institution (no county); ties by code so the answer is deterministic.
    """
    if not kinds:
        return {}
    # One query: the institutions of these kinds with the ids of their jurisdiction UATs.
    candidates = (Institution.objects.filter(active=True, kind__in=kinds)
                  .annotate(uat_ids=ArrayAgg("jurisdiction_uats__id", distinct=True)).order_by("code"))
    wanted = set(uat_ids)
    found: dict[str, list[tuple[int, Institution]]] = {}
    for inst in candidates:
        if inst.jurisdiction_area is not None:
            rank = 0 if inst.jurisdiction_area.intersects(geometry) else None
        elif [i for i in inst.uat_ids if i is not None]:
            rank = 1 if wanted & set(inst.uat_ids) else None
        elif inst.county:
            rank = 2 if inst.county in counties else None
        else:
            rank = 3
        if rank is not None:
            found.setdefault(inst.kind, []).append((rank, inst))
    return {kind: [inst for _, inst in sorted(items, key=lambda x: (x[0], x[1].code))]
            for kind, items in found.items()}
