"""Performance indicators over a period, computed in SQL from the audit trails (permits_transitionevent,
avize_avizevent): nothing is counted by hand, so the numbers follow the history as it was recorded.

Definitions (local dates, Europe/Bucharest; the period's both days included):
- received: requests whose registration (the `submit` event) falls in the period;
- resolved: requests decided (`issue` or `refuse`) in the period; their time to resolution is the number of
  working days after the registration day up to the decision day (the legal calendar: weekends, the public
  holidays of `workdays.calendar` and the closed days of `workdays.ClosedDay`, the issuer's own included);
  median and 90th percentile by `percentile_cont` (linear interpolation); within the legal deadline: decided
  on or before the request's due date (which the clock stops of a return for completion have moved on);
- pending: registered by the end of the period and not closed (issued, refused, withdrawn, expired) by then;
- completions requested: `return_for_completion` events in the period.
A clerk's line counts what they held when it happened: the assignee of the last `assign` event before it
(for a received request, its first assignee). An issuer's line is its urbanism department's.
Partner institutions: aviz requests sent in the period (`send`); answers in the period (favourable, with
conditions, unfavourable), those on or before the request's due date; tacit approvals in the period.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings

from gis_portal.db_router import read_connection
from workdays.calendar import public_holidays


@dataclass(frozen=True)
class Scope:
    """Which lines the caller may see: issuers (None: all) and institutions (None: all)."""

    issuer_ids: tuple[int, ...] | None
    institution_ids: tuple[int, ...] | None
    issuers_visible: bool  # reviewers see their institution's line only


def scope_for(user, *, issuer_id: int | None = None) -> Scope | None:
    """The caller's scope (None: no indicators for them). An admin may narrow to one issuer."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_portal_admin:
        return Scope((issuer_id,) if issuer_id else None, None, True)
    if user.is_issuer_staff:
        return Scope((user.issuer_id,), None, True)
    if user.role == "reviewer" and user.institution_id:
        return Scope((), (user.institution_id,), False)
    return None


def _holidays(start: date, end: date) -> list[date]:
    # Registrations resolved in the period may be a few years older than it.
    return [d for year in range(start.year - 3, end.year + 1) for d in public_holidays(year)]


_FACTS = """
WITH apps AS (
  SELECT a.id, a.issuer_id, a.due_date FROM permits_application a
  WHERE a.issuer_id IS NOT NULL AND (%(all_issuers)s OR a.issuer_id = ANY(%(issuers)s))
), ev AS (
  SELECT e.id, e.application_id, e.action, e.to_status, e.at, e.assigned_to_id,
         (e.at AT TIME ZONE %(tz)s)::date AS day
  FROM permits_transitionevent e JOIN apps ON apps.id = e.application_id
), reg AS (
  SELECT application_id, min(day) AS day FROM ev WHERE action = 'submit' GROUP BY application_id
), decided AS (
  SELECT DISTINCT ON (application_id) application_id, at, day FROM ev
  WHERE action IN ('issue', 'refuse') ORDER BY application_id, at, id
), closed AS (
  SELECT application_id, min(day) AS day FROM ev
  WHERE to_status IN ('issued', 'refused', 'withdrawn', 'expired') AND action <> 'assign' GROUP BY application_id
), facts AS (
  SELECT 'received' AS kind, apps.issuer_id,
         (SELECT x.assigned_to_id FROM permits_transitionevent x WHERE x.application_id = reg.application_id AND x.action = 'assign'
          ORDER BY x.at, x.id LIMIT 1) AS clerk_id, NULL::int AS wd, NULL::boolean AS in_time
  FROM reg JOIN apps ON apps.id = reg.application_id WHERE reg.day BETWEEN %(start)s AND %(end)s
  UNION ALL
  SELECT 'resolved', apps.issuer_id,
         (SELECT x.assigned_to_id FROM permits_transitionevent x WHERE x.application_id = d.application_id AND x.action = 'assign'
          AND x.at <= d.at ORDER BY x.at DESC, x.id DESC LIMIT 1),
         (SELECT count(*) FROM generate_series(reg.day + 1, d.day, interval '1 day') g(t)
          WHERE extract(isodow FROM g.t) < 6 AND g.t::date <> ALL(%(holidays)s::date[])
            AND NOT EXISTS (SELECT 1 FROM permits_closedday c WHERE c.date = g.t::date
                            AND (c.issuer_id IS NULL OR c.issuer_id = apps.issuer_id)))::int,
         apps.due_date IS NOT NULL AND d.day <= apps.due_date
  FROM decided d JOIN apps ON apps.id = d.application_id JOIN reg ON reg.application_id = d.application_id
  WHERE d.day BETWEEN %(start)s AND %(end)s
  UNION ALL
  SELECT 'pending', apps.issuer_id,
         (SELECT x.assigned_to_id FROM permits_transitionevent x WHERE x.application_id = reg.application_id AND x.action = 'assign'
          AND (x.at AT TIME ZONE %(tz)s)::date <= %(end)s ORDER BY x.at DESC, x.id DESC LIMIT 1), NULL, NULL
  FROM reg JOIN apps ON apps.id = reg.application_id LEFT JOIN closed ON closed.application_id = reg.application_id
  WHERE reg.day <= %(end)s AND (closed.day IS NULL OR closed.day > %(end)s)
  UNION ALL
  SELECT 'completion', apps.issuer_id,
         (SELECT x.assigned_to_id FROM permits_transitionevent x WHERE x.application_id = r.application_id AND x.action = 'assign'
          AND x.at <= r.at ORDER BY x.at DESC, x.id DESC LIMIT 1), NULL, NULL
  FROM ev r JOIN apps ON apps.id = r.application_id
  WHERE r.action = 'return_for_completion' AND r.day BETWEEN %(start)s AND %(end)s
)
SELECT f.issuer_id, i.name, f.clerk_id, GROUPING(f.clerk_id) = 1 AS whole_issuer,
       u.first_name, u.last_name, u.username,
       count(*) FILTER (WHERE f.kind = 'received'), count(*) FILTER (WHERE f.kind = 'resolved'),
       count(*) FILTER (WHERE f.kind = 'pending'), count(*) FILTER (WHERE f.kind = 'completion'),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.wd), percentile_cont(0.9) WITHIN GROUP (ORDER BY f.wd),
       count(*) FILTER (WHERE f.kind = 'resolved' AND f.in_time)
FROM facts f JOIN parcels_issuer i ON i.id = f.issuer_id LEFT JOIN accounts_user u ON u.id = f.clerk_id
GROUP BY GROUPING SETS ((f.issuer_id, i.name), (f.issuer_id, i.name, f.clerk_id, u.first_name, u.last_name,
                                                 u.username))
ORDER BY i.name, f.issuer_id, GROUPING(f.clerk_id) DESC, u.last_name NULLS LAST, u.first_name, u.username
"""


@dataclass(frozen=True)
class WorkRow:
    issuer_id: int
    issuer: str
    clerk_id: int | None
    clerk: str  # "" on an issuer's (department's) line; the clerk's name, or "" unassigned, on theirs
    whole_issuer: bool
    received: int
    resolved: int
    pending: int
    completions: int
    median_wd: float | None
    p90_wd: float | None
    in_time: int

    @property
    def in_time_share(self) -> float | None:
        return self.in_time / self.resolved if self.resolved else None


@dataclass(frozen=True)
class InstitutionRow:
    institution_id: int
    institution: str
    received: int
    answered: int
    answered_in_time: int
    tacit: int

    @property
    def in_time_share(self) -> float | None:
        return self.answered_in_time / self.answered if self.answered else None


def _name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def work_indicators(*, scope: Scope, start: date, end: date) -> list[WorkRow]:
    """One line per issuer (its urbanism department) and one per clerk of it, over [start, end]."""
    if not scope.issuers_visible:
        return []
    params: dict[str, Any] = {"tz": settings.TIME_ZONE, "start": start, "end": end,
                              "all_issuers": scope.issuer_ids is None, "issuers": list(scope.issuer_ids or ()),
                              "holidays": _holidays(start, end)}
    with read_connection().cursor() as cursor:
        cursor.execute(_FACTS, params)
        rows = cursor.fetchall()
    return [WorkRow(r[0], r[1], r[2], "" if r[3] else _name(r[4], r[5], r[6]), r[3], r[7], r[8], r[9], r[10],
                    r[11], r[12], r[13]) for r in rows]


_INSTITUTIONS = """
SELECT inst.id, inst.name,
       count(*) FILTER (WHERE e.action = 'send'),
       count(*) FILTER (WHERE e.action IN ('answer_favourable', 'answer_with_conditions', 'answer_unfavourable')),
       count(*) FILTER (WHERE e.action IN ('answer_favourable', 'answer_with_conditions', 'answer_unfavourable')
                        AND (e.at AT TIME ZONE %(tz)s)::date <= r.due_date),
       count(*) FILTER (WHERE e.action = 'tacit_approve')
FROM avize_avizevent e
JOIN avize_avizrequest r ON r.id = e.request_id
JOIN institutions_institution inst ON inst.id = r.institution_id
JOIN permits_application a ON a.id = r.application_id
WHERE (e.at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s
  AND e.action IN ('send', 'answer_favourable', 'answer_with_conditions', 'answer_unfavourable', 'tacit_approve')
  AND (%(all_issuers)s OR a.issuer_id = ANY(%(issuers)s))
  AND (%(all_institutions)s OR r.institution_id = ANY(%(institutions)s))
GROUP BY inst.id, inst.name ORDER BY inst.name, inst.id
"""


def institution_indicators(*, scope: Scope, start: date, end: date) -> list[InstitutionRow]:
    """One line per partner institution: its aviz requests over [start, end] (the caller's issuer's only)."""
    params: dict[str, Any] = {"tz": settings.TIME_ZONE, "start": start, "end": end,
                              "all_issuers": scope.issuer_ids is None, "issuers": list(scope.issuer_ids or ()),
                              "all_institutions": scope.institution_ids is None,
                              "institutions": list(scope.institution_ids or ())}
    if not scope.issuers_visible:
        params["all_issuers"] = True  # a reviewer: every issuer's requests to their own institution
    with read_connection().cursor() as cursor:
        cursor.execute(_INSTITUTIONS, params)
        return [InstitutionRow(*r) for r in cursor.fetchall()]
