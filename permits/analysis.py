"""Running the rules engine for an application, and the frozen copy kept at submission.

The engine is `rules.services.analysis_create` (docs/architecture.md, "Contracts between apps").
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from rules.services import analysis_create


def works_of(application) -> dict[str, Any]:
    return {
        "kind": application.works_destination, "function": application.works_function,
        "description": application.works_description, "levels": application.works_levels,
        "height_m": float(application.works_height_m) if application.works_height_m is not None else None,
        "gross_floor_area_m2": (float(application.works_gross_floor_area_m2)
                                if application.works_gross_floor_area_m2 is not None else None),
        "footprint": application.works_footprint,
        "purpose": application.purpose, "application_kind": application.kind,
        "operation": application.works_kind, "road_access": application.works_road_access,
        "built_area_m2": _number(application.works_built_area_m2), "occupants": application.works_occupants,
        "connections": list(application.works_connections or ()),
    }


def _number(value) -> float | None:
    return float(value) if value is not None else None


def analysis_run(*, application, parcels, by) -> tuple[UUID, dict]:
    """Return (analysis id, result JSON) for the application's parcels and works."""
    analysis = analysis_create(parcels=parcels, geometry=None, works=works_of(application), by=by)
    return analysis.pk, analysis.result


def issuer_id_from(result: dict) -> int | None:
    issuer = result.get("issuer")
    if isinstance(issuer, dict):
        return issuer.get("id")
    return issuer if isinstance(issuer, int) else None
