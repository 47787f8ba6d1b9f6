"""Reads on institutions: the public list and "which institution of this kind covers this place"."""
from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Count, QuerySet

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
    candidates = (Institution.objects.filter(active=True, kind__in=kinds)
                  .annotate(n_uats=Count("jurisdiction_uats")).order_by("code"))
    in_uats = set(Institution.jurisdiction_uats.through.objects
                  .filter(uat_id__in=uat_ids, institution__kind__in=kinds)
                  .values_list("institution_id", flat=True))
    found: dict[str, list[tuple[int, Institution]]] = {}
    for inst in candidates:
        if inst.jurisdiction_area is not None:
            rank = 0 if inst.jurisdiction_area.intersects(geometry) else None
        elif inst.n_uats:
            rank = 1 if inst.pk in in_uats else None
        elif inst.county:
            rank = 2 if inst.county in counties else None
        else:
            rank = 3
        if rank is not None:
            found.setdefault(inst.kind, []).append((rank, inst))
    return {kind: [inst for _, inst in sorted(items, key=lambda x: (x[0], x[1].code))]
            for kind, items in found.items()}
