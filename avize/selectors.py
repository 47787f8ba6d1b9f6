"""Reads of the avize app, already scoped to what the caller may see, and the outcome roll-up."""
from __future__ import annotations

import json
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from avize.models import FINAL, AvizRequest, State
from gis_portal.api.geojson import geometry_sql
from permits.models import Application
from permits.selectors import applications_visible_to
from workdays.calendar import due_soon_until

# Most severe first: the application shows the worst answer it got.
SEVERITY = {State.UNFAVOURABLE: 3, State.FAVOURABLE_WITH_CONDITIONS: 2, State.FAVOURABLE: 1,
            State.TACITLY_APPROVED: 1}
RESOLVED = tuple(SEVERITY)


def aviz_requests_visible_to(user: User) -> QuerySet[AvizRequest]:
    """Reviewers see their institution's requests; issuer staff those of their issuer's applications;
    applicants those of their own applications; admins all."""
    qs = AvizRequest.objects.select_related("institution", "application", "application__uat")
    if user.is_portal_admin:
        return qs
    if user.role == User.Role.REVIEWER:
        return qs.filter(institution_id=user.institution_id) if user.institution_id is not None else qs.none()
    if user.is_issuer_staff and user.issuer_id is not None:
        return qs.filter(application__issuer_id=user.issuer_id)
    return qs.filter(application__owner_id=user.pk)


def aviz_request_get(*, user: User, pk: int) -> AvizRequest:
    """One request the user may see; 404 (not 403) otherwise, so ids of others' requests leak nothing."""
    try:
        return aviz_requests_visible_to(user).get(pk=pk)
    except AvizRequest.DoesNotExist:
        raise Http404("No such aviz request.") from None


def inbox_filter(qs: QuerySet[AvizRequest], *, today: date, due_soon: bool | None = None,
                 overdue: bool | None = None, uat: int | None = None,
                 state: str | None = None, live: bool | None = True) -> QuerySet[AvizRequest]:
    """The inbox filters: open requests due soon (workdays.calendar.due_soon_until: working days), past
    due, by UAT (SIRUTA) and state."""
    open_q = ~Q(state__in=FINAL)
    if live is not None:
        qs = qs.filter(live=live)
    if due_soon is not None:
        soon = open_q & Q(due_date__gte=today, due_date__lte=due_soon_until(today))
        qs = qs.filter(soon) if due_soon else qs.exclude(soon)
    if overdue is not None:
        late = open_q & Q(due_date__lt=today)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    if uat is not None:
        qs = qs.filter(application__uat__siruta=uat)
    if state:
        qs = qs.filter(state=state)
    return qs


def dossier_map(application) -> dict:
    """The application's parcels (and works footprint) as a GeoJSON FeatureCollection in WGS 84, built in SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(f), '[]'::json))
            FROM (
              SELECT json_build_object(
                'type', 'Feature', 'id', p.id,
                'geometry', {geometry_sql('p.geom')}::json,
                'properties', json_build_object('kind', 'parcel', 'cadastral_number', p.cadastral_number,
                                                'area_m2', round(ST_Area(p.geom)::numeric, 2))) AS f
              FROM parcels_parcel p
              JOIN permits_application_parcels ap ON ap.parcel_id = p.id
              WHERE ap.application_id = %(app)s
              UNION ALL
              SELECT json_build_object(
                'type', 'Feature', 'id', 'works',
                'geometry', {geometry_sql('a.works_footprint')}::json,
                'properties', json_build_object('kind', 'works_footprint'))
              FROM permits_application a WHERE a.id = %(app)s AND a.works_footprint IS NOT NULL
            ) AS features
            """,
            {"app": application.pk},
        )
        value = cursor.fetchone()[0]
    return json.loads(value) if isinstance(value, str) else value


def _dedupe(conditions: list[str]) -> list[str]:
    """Drop repeated conditions (same words, ignoring case and spacing), keeping the first wording."""
    seen, out = set(), []
    for text in conditions:
        key = " ".join(str(text).split()).casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(" ".join(str(text).split()))
    return out


def rollup_for(application, *, user: User | None = None) -> dict:
    """The avize outcome of an application: the most severe answer and the conditions per institution.

    Only live requests count (a re-consultation replaces the older answers); withdrawn ones are ignored.
    With `user` a reviewer (not an admin), only that reviewer's institution's requests are read: one
    institution never learns another's answer (state, number, conditions) nor who else was consulted.
    """
    qs = application.aviz_requests.filter(live=True).exclude(state=State.WITHDRAWN)
    if user is not None and user.role == User.Role.REVIEWER and not user.is_portal_admin:
        qs = qs.filter(institution_id=user.institution_id)
    requests = list(qs.select_related("institution").order_by("institution__code"))
    per_institution, pending = [], []
    for r in requests:
        if r.state not in RESOLVED:
            pending.append(r.institution.code)
        per_institution.append({
            "request_id": r.pk,
            "institution": {"id": r.institution_id, "code": r.institution.code, "name": r.institution.name,
                            "kind": r.institution.kind},
            "state": r.state,
            "number": r.number,
            "answered_at": r.answered_at.isoformat() if r.answered_at else None,
            "dossier_version": r.dossier_version,
            "judged_dossier_version": r.judged_dossier_version,
            "legal_basis": r.legal_basis,
            "conditions": _dedupe(r.conditions),
        })
    answered = [r.state for r in requests if r.state in RESOLVED]
    worst = max(answered, key=lambda s: SEVERITY[s]) if answered else None
    return {
        "outcome": worst,
        "resolved": bool(requests) and not pending,
        "pending": pending,
        "institutions": per_institution,
        # The conditions printed on the AC/AD, each prefixed by who set it.
        "conditions": [f"{item['institution']['name']}: {c}" for item in per_institution for c in item["conditions"]],
    }


def avize_status_for(application) -> dict:
    """The avize stage's status for permits (permits.avize_hook): resolved, favourable, conditions, detail,
    and `to_request`: how many required institutions a `request_avize` would ask now (never asked, or
    asked on documents that changed since)."""
    rollup = rollup_for(application)
    to_request = _institutions_to_ask(application)
    if not rollup["institutions"]:
        return {"resolved": False, "favourable": False, "conditions": [], "to_request": to_request,
                "detail": _("Nu au fost trimise cereri de aviz.")}
    favourable = rollup["resolved"] and rollup["outcome"] != State.UNFAVOURABLE
    if rollup["pending"]:
        detail = _("Avize în așteptare: %(institutions)s") % {"institutions": ", ".join(rollup["pending"])}
    elif not favourable:
        detail = _("Cel puțin un aviz este nefavorabil.")
    else:
        detail = _("Toate avizele sunt favorabile sau aprobate tacit.")
    return {"resolved": rollup["resolved"], "favourable": favourable, "conditions": rollup["conditions"],
            "detail": detail, "outcome": rollup["outcome"], "to_request": to_request}


def _institutions_to_ask(application) -> int:
    """Required institutions never asked, plus, when the documents changed after the latest dossier
    version was sent (a completion sent to one institution is that version), those asked on other ones."""
    required = {int(item["institution"]["id"]) for item in (application.analysis_result or {}).get("required_avize") or []
                if (item.get("institution") or {}).get("id") is not None}
    if not required:
        return 0
    live = list(application.aviz_requests.filter(live=True).exclude(state=State.WITHDRAWN)
                .only("institution_id", "documents", "dossier_version").order_by("-dossier_version"))
    asked = {r.institution_id: {d["sha256"] for d in r.documents} for r in live}
    current = set(application.documents.values_list("sha256", flat=True))
    changed = bool(live) and asked[live[0].institution_id] != current
    return sum(1 for pk in required if pk not in asked or (changed and asked[pk] != current))


def application_get(*, user: User, pk: int):
    """An application whose avize the user may follow: its owner, its issuer's staff, an institution
    consulted on it, or an admin (permits.selectors.applications_visible_to); 404 otherwise."""
    try:
        return applications_visible_to(user).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None
