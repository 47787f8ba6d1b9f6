"""Public information on authorised works in progress: the register, the map layer and the site panel.

Works in progress are AC/AD whose start was announced and which are not yet received (closed). What is
public is what the construction-site panel shows anyway (Law 50/1991 art. 7; the holder's name is on the
panel, so it is public for natural persons too): the act's number and date, the holder's name, the place
(parcels and their address), the works, the dates, the designer, the contractor and the issuer. Never
the identification code (CNP/CUI), the holder's address, e-mail or documents.
"""
from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet

from gis_portal.api.geojson import geometry_sql
from gis_portal.db_router import read_connection
from permits.choices import PERMIT_KINDS, Status
from permits.models import Application

IN_PROGRESS = (Status.WORKS_STARTED, Status.WORKS_ENDED)
# The only fields an entry of the public register (and a feature of the layer) carries.
PUBLIC_FIELDS = ("id", "kind", "act_number", "act_date", "holder", "parcels", "address", "uat", "works",
                 "start_date", "duration_months", "end_due", "designer", "contractor", "issuer", "status")
LIMIT = 5000


def works_in_progress(*, siruta: int | None = None) -> QuerySet[Application]:
    apps = (Application.objects.filter(status__in=IN_PROGRESS, kind__in=PERMIT_KINDS, works__isnull=False,
                                       act__isnull=False)
            .select_related("works", "act", "issuer", "uat").prefetch_related("parcels")
            .order_by("-works__start_date", "-pk"))
    return apps.filter(uat__siruta=siruta) if siruta is not None else apps


def public_entry(app: Application) -> dict[str, Any]:
    """One authorised works in progress as the public sees it (PUBLIC_FIELDS only)."""
    act, works = app.act, app.works
    parcels = sorted(app.parcels.all(), key=lambda p: p.cadastral_number)
    return {
        "id": app.pk, "kind": app.kind, "act_number": act.numbering, "act_date": act.issued_on.isoformat(),
        "holder": app.applicant_name, "parcels": [p.cadastral_number for p in parcels],
        "address": "; ".join(dict.fromkeys(p.address for p in parcels if p.address)),
        "uat": app.uat.name if app.uat else "", "works": app.works_description,
        "start_date": works.start_date.isoformat(), "duration_months": works.duration_months,
        "end_due": works.end_due.isoformat(), "designer": app.designer_name, "contractor": works.contractor_name,
        "issuer": app.issuer.name if app.issuer else "", "status": app.status,
    }


def works_geojson() -> dict[str, Any]:
    """The works in progress as a GeoJSON FeatureCollection (EPSG:4326): the works footprint when drawn, else the
    union of the parcels; properties are the public entry's."""
    apps = list(works_in_progress()[:LIMIT])
    if not apps:
        return {"type": "FeatureCollection", "features": []}
    with read_connection().cursor() as cur:
        cur.execute(
            f"SELECT a.id, {geometry_sql('COALESCE(a.works_footprint, ST_Multi(ST_Union(p.geom)))')} "
            "FROM permits_application a JOIN permits_application_parcels ap ON ap.application_id = a.id "
            "JOIN parcels_parcel p ON p.id = ap.parcel_id WHERE a.id = ANY(%s) GROUP BY a.id",
            [[a.pk for a in apps]])
        geometries = {pk: json.loads(geo) if isinstance(geo, str) else geo for pk, geo in cur.fetchall()}
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": a.pk, "geometry": geometries.get(a.pk), "properties": public_entry(a)}
        for a in apps if geometries.get(a.pk)]}
