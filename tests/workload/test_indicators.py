"""The indicators equal values computed independently in Python on a seeded history across the holidays
(1 December, Christmas, New Year, Bobotează), and their CSV export."""
from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import holidays
import pytest

from avize.models import AvizEvent, AvizRequest
from indicators import export
from indicators.selectors import institution_indicators, scope_for, work_indicators
from permits.models import TransitionEvent
from workdays.models import ClosedDay

TZ = ZoneInfo("Europe/Bucharest")
START, END = date(2025, 12, 1), date(2026, 1, 31)
ISSUER_CLOSED = date(2025, 12, 22)  # the issuer's own closed day (a Monday)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def event(app, day: date, action: str, *, to_status: str = "", clerk=None, frm=None, hour: int = 12, by=None):
    with mock.patch("django.utils.timezone.now", return_value=at(day, hour)):
        return TransitionEvent.objects.create(application=app, action=action, from_status="submitted",
                                              to_status=to_status or "submitted", by=by, assigned_to=clerk,
                                              assigned_from=frm)


def working_days(start: date, end: date) -> int:
    """Independent of workdays.calendar: the `holidays` library and a day-by-day loop."""
    ro = holidays.country_holidays("RO", years=range(2024, 2027))
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        n += day.weekday() < 5 and day not in ro and day != ISSUER_CLOSED
    return n


def percentile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


@pytest.fixture
def history(cast, clerks, registered):
    """60 requests registered from October to January with a seeded random life each; returns their plans."""
    ClosedDay.objects.create(date=ISSUER_CLOSED, reason="Ziua orașului", issuer=cast["issuer_a"])
    ClosedDay.objects.create(date=ISSUER_CLOSED + timedelta(days=1), reason="Altundeva", issuer=cast["issuer_b"])
    rng = random.Random(19)
    plans = []
    # The fixed cases: registered before 1 December and before Christmas.
    fixed = [(date(2025, 11, 28), date(2025, 12, 5)), (date(2025, 12, 23), date(2026, 1, 8)),
             (date(2025, 12, 19), date(2025, 12, 29))]
    for i in range(60):
        reg = fixed[i][0] if i < len(fixed) else date(2025, 10, 1) + timedelta(days=rng.randrange(120))
        plan = {"reg": reg, "clerk": clerks[rng.randrange(4)], "reassign": None, "returned": None, "decided": None,
                "closed": None, "due": reg + timedelta(days=rng.choice([15, 21, 30]))}
        if rng.random() < 0.3:
            plan["reassign"] = (reg + timedelta(days=rng.randrange(1, 10)), clerks[rng.randrange(4)])
        if rng.random() < 0.25:
            plan["returned"] = reg + timedelta(days=rng.randrange(1, 5))
        if i < len(fixed):
            plan["decided"] = (fixed[i][1], "issue")
        elif rng.random() < 0.7:
            plan["decided"] = (reg + timedelta(days=rng.randrange(10, 40)), rng.choice(["issue", "issue", "refuse"]))
        elif rng.random() < 0.3:
            plan["closed"] = reg + timedelta(days=rng.randrange(5, 40))  # withdrawn
        app = registered(1, due_date=plan["due"])[0]
        event(app, reg, "submit", hour=9)
        event(app, reg, "assign", clerk=plan["clerk"], hour=10)
        if plan["reassign"]:
            event(app, plan["reassign"][0], "assign", clerk=plan["reassign"][1], frm=plan["clerk"], hour=8,
                  by=cast["erin"])
        if plan["returned"]:
            event(app, plan["returned"], "return_for_completion", to_status="returned_for_completion", hour=11)
        if plan["decided"]:
            day, action = plan["decided"]
            event(app, day, action, to_status="issued" if action == "issue" else "refused", hour=14)
        if plan["closed"]:
            event(app, plan["closed"], "withdraw", to_status="withdrawn", hour=14)
        plan["app"] = app
        plans.append(plan)
    return plans


def holder(plan, day: date, hour: int):
    """Who held the request at (day, hour): the reassignment (at 08:00) counts from its moment."""
    if plan["reassign"] and (plan["reassign"][0], 8) <= (day, hour):
        return plan["reassign"][1]
    return plan["clerk"]


def expected(plans) -> dict:
    lines: dict = defaultdict(lambda: {"received": 0, "resolved": 0, "pending": 0, "completions": 0, "wd": [],
                                       "in_time": 0})
    for p in plans:
        keys = lambda clerk: ("issuer", ("clerk", clerk.pk))  # noqa: E731
        if START <= p["reg"] <= END:
            for k in keys(p["clerk"]):
                lines[k]["received"] += 1
        if p["decided"] and START <= p["decided"][0] <= END:
            day = p["decided"][0]
            for k in keys(holder(p, day, 14)):
                lines[k]["resolved"] += 1
                lines[k]["wd"].append(working_days(p["reg"], day))
                lines[k]["in_time"] += day <= p["due"]
        closed = p["decided"][0] if p["decided"] else p["closed"]
        if p["reg"] <= END and (closed is None or closed > END):
            for k in keys(holder(p, END, 23)):
                lines[k]["pending"] += 1
        if p["returned"] and START <= p["returned"] <= END:
            for k in keys(holder(p, p["returned"], 11)):
                lines[k]["completions"] += 1
    return lines


def test_work_indicators_equal_an_independent_computation(cast, history, clerks):
    rows = work_indicators(scope=scope_for(cast["erin"]), start=START, end=END)
    want = expected(history)
    got = {("issuer" if r.whole_issuer else ("clerk", r.clerk_id)): r for r in rows}
    assert set(got) == set(want)
    for key, w in want.items():
        r = got[key]
        assert (r.received, r.resolved, r.pending, r.completions, r.in_time) == (
            w["received"], w["resolved"], w["pending"], w["completions"], w["in_time"]), key
        assert r.median_wd == pytest.approx(percentile(w["wd"], 0.5)), key
        assert r.p90_wd == pytest.approx(percentile(w["wd"], 0.9)), key
    issuer = got["issuer"]
    assert issuer.received > 20 and issuer.resolved > 20 and issuer.pending > 0 and issuer.completions > 0
    assert all(r.issuer_id == cast["issuer_a"].pk for r in rows)


def test_working_days_across_1_december_and_christmas(cast, history):
    # 28.11 (Friday) → 5.12: 1 December is a holiday, 30.11 a Sunday: 2, 3, 4, 5 December.
    assert working_days(date(2025, 11, 28), date(2025, 12, 5)) == 4
    # 23.12 → 8.01: 25, 26 Dec, 1, 2, 6, 7 Jan are holidays: 24, 29, 30, 31 Dec, 5, 8 Jan.
    assert working_days(date(2025, 12, 23), date(2026, 1, 8)) == 6
    # 19.12 → 29.12: the issuer's own closed day (22.12) too: 23, 24, 29 December.
    assert working_days(date(2025, 12, 19), date(2025, 12, 29)) == 3
    # Periods of one day holding one of these decisions each (no random one falls on them: asserted).
    rows = work_indicators(scope=scope_for(cast["root"]), start=date(2025, 12, 5), end=date(2025, 12, 5))
    assert [(r.resolved, r.median_wd) for r in rows if r.whole_issuer] == [(1, 4.0)]
    rows = work_indicators(scope=scope_for(cast["root"]), start=date(2026, 1, 8), end=date(2026, 1, 8))
    assert [(r.resolved, r.median_wd) for r in rows if r.whole_issuer] == [(1, 6.0)]


def test_scope(cast, history):
    assert work_indicators(scope=scope_for(cast["dave"]), start=START, end=END) == []  # issuer_b: nothing
    assert scope_for(cast["alice"]) is None
    assert work_indicators(scope=scope_for(cast["frank"]), start=START, end=END) == []  # a reviewer: no staff lines


@pytest.fixture
def avize_history(cast, registered):
    app_a = registered(1)[0]
    app_b = registered(1)[0]
    app_b.issuer = cast["issuer_b"]
    app_b.save()

    def request(app, institution, sent: date, due: date, outcome: str | None, day: date | None):
        req = AvizRequest.objects.create(application=app, institution=institution, due_date=due, due_rule="15 days",
                                         live=False)
        AvizEvent.objects.create(request=req, action="send", from_state="", to_state="sent", dossier_version=1,
                                 at=at(sent))
        if outcome:
            AvizEvent.objects.create(request=req, action=outcome, from_state="sent", to_state="x", dossier_version=1,
                                     at=at(day))
        return req

    culture, power = cast["culture"], cast["electricity"]
    request(app_a, culture, date(2025, 12, 2), date(2025, 12, 17), "answer_favourable", date(2025, 12, 17))  # in time
    request(app_a, culture, date(2025, 12, 3), date(2025, 12, 18), "answer_unfavourable", date(2025, 12, 19))  # late
    request(app_a, culture, date(2025, 12, 4), date(2025, 12, 19), "tacit_approve", date(2025, 12, 20))
    request(app_a, power, date(2025, 11, 20), date(2025, 12, 5), "answer_with_conditions", date(2025, 12, 1))
    request(app_a, power, date(2026, 2, 2), date(2026, 2, 17), None, None)  # after the period
    request(app_b, culture, date(2025, 12, 10), date(2025, 12, 25), "answer_favourable", date(2025, 12, 11))
    return culture, power


def test_institution_indicators_by_scope(cast, avize_history):
    culture, power = avize_history
    lines = lambda user: [(r.institution, r.received, r.answered, r.answered_in_time, r.tacit)  # noqa: E731
                          for r in institution_indicators(scope=scope_for(user), start=START, end=END)]
    assert lines(cast["root"]) == [(power.name, 0, 1, 1, 0), (culture.name, 4, 3, 2, 1)]
    assert lines(cast["erin"]) == [(power.name, 0, 1, 1, 0), (culture.name, 3, 2, 1, 1)]  # issuer_a's only
    assert lines(cast["frank"]) == [(culture.name, 4, 3, 2, 1)]  # their institution's line only
    assert lines(cast["dave"]) == [(culture.name, 1, 1, 1, 0)]


def test_csv_has_a_bom_and_headers_in_the_language(cast, avize_history):
    from django.utils import translation

    rows = institution_indicators(scope=scope_for(cast["frank"]), start=START, end=END)
    data = export.to_csv(export.institution_columns(), rows)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed == [["Instituție", "Cereri de aviz primite", "Răspunsuri", "Răspunsuri în termen", "Aprobate tacit"],
                      ["Direcția Județeană pentru Cultură Bacău", "4", "3", "2", "1"]]
    with translation.override("en"):
        data = export.to_csv(export.institution_columns(), rows)
    assert data.decode("utf-8-sig").splitlines()[0] == ("Institution,Aviz requests received,Answers,"
                                                        "Answers in time,Tacitly approved")
