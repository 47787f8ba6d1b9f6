"""Reads on institutions: the public list and "which institution of this kind covers this place"."""
from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import QuerySet

from gis_portal.generations import GenerationCache
from institutions.models import Institution


def institution_list() -> QuerySet[Institution]:
    """Active institutions, for the public list (the serializer never exposes secrets)."""
    return Institution.objects.filter(active=True).order_by("kind", "code")


def _load_active() -> list[Institution]:
    return list(Institution.objects.filter(active=True)
                .annotate(uat_ids=ArrayAgg("jurisdiction_uats__id", distinct=True)).order_by("code"))


_active = GenerationCache("institutions", _load_active)  # migration 0003: institutions_generation


def active_institutions(*, generation: int | None = None) -> list[Institution]:
    """Every active institution, with `uat_ids` (its jurisdiction UATs), in code order.

    Kept in memory per process (gis_portal.generations) and read again unless `generation` is given
    and is the one they were read at: the analysis reads institutions_generation in its context
    statement, and any change to institutions sets it to a new number in the same transaction.
    """
    return _active.get(generation=generation)


def institutions_covering(*, kinds: list[str], geometry: GEOSGeometry, uat_ids: list[int],
                          counties: list[str], generation: int | None = None) -> dict[str, list[Institution]]:
    """Active institutions of the given kinds whose jurisdiction covers the geometry, per kind.

    Most specific first: an explicit jurisdiction area, then a list of UATs, then a whole county,
    then a national institution (no county); ties by code so the answer is deterministic.
    `generation`: see active_institutions.
    """
    if not kinds:
        return {}
    wanted = set(uat_ids)
    found: dict[str, list[tuple[int, Institution]]] = {}
    for inst in active_institutions(generation=generation):
        served = inst.kinds & set(kinds)
        if not served:
            continue
        if inst.jurisdiction_area is not None:
            rank = 0 if inst.jurisdiction_area.intersects(geometry) else None
        elif uat_ids := [i for i in inst.uat_ids if i is not None]:  # type: ignore[attr-defined]  # annotated
            rank = 1 if wanted & set(uat_ids) else None
        elif inst.county:
            rank = 2 if inst.county in counties else None
        else:
            rank = 3
        if rank is not None:
            for kind in served:
                found.setdefault(kind, []).append((rank, inst))
    return {kind: [inst for _, inst in sorted(items, key=lambda x: (x[0], x[1].code))]
            for kind, items in found.items()}
