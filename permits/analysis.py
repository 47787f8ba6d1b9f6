"""Running the rules engine for an application, and the frozen copy kept at submission.

The engine is `rules.services.analysis_create` (docs/architecture.md). Until it is installed, a
minimal built-in result (UATs, issuer, locality class, no avize) keeps permits usable.
"""
from __future__ import annotations

import importlib
from typing import Any

from parcels.models import Issuer


def _engine():
    try:
        return importlib.import_module("rules.services").analysis_create
    except (ImportError, AttributeError):
        return None


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


def analysis_run(*, application, parcels, by) -> tuple[object | None, dict]:
    """Return (analysis id or None, result JSON) for the application's parcels and works."""
    engine = _engine()
    if engine is not None:
        analysis = engine(parcels=parcels, geometry=None, works=works_of(application), by=by)
        return analysis.pk, analysis.result
    return None, _fallback(parcels)


def _fallback(parcels) -> dict:
    uats = {p.uat_id: p.uat for p in parcels}
    issuer = None
    if len(uats) == 1:
        issuer = Issuer.objects.filter(uat_id=next(iter(uats))).first()
    elif uats:
        county = next(iter(uats.values())).county
        issuer = Issuer.objects.filter(kind=Issuer.Kind.PRESEDINTE_CJ, county=county).first()
    urban = all(u.is_urban for u in uats.values())
    return {
        "engine": "permits-fallback",
        "uats": [{"id": u.pk, "siruta": u.siruta, "name": u.name, "kind": u.kind} for u in uats.values()],
        "issuer": {"id": issuer.pk, "name": issuer.name, "kind": issuer.kind} if issuer else None,
        "locality_class": "urban" if urban else "rural",
        "zoning": [], "rule_hits": [], "required_avize": [], "compliance": {},
    }


def issuer_id_from(result: dict) -> int | None:
    issuer = result.get("issuer")
    if isinstance(issuer, dict):
        return issuer.get("id")
    return issuer if isinstance(issuer, int) else None
