"""The legal calendar: Romanian public holidays by year, working days and deadline policies.

Public holidays (Codul muncii art. 139) come from the `holidays` library, year by year as the law had
them: 6–7 January (Bobotează, Sf. Ioan) are holidays from 2024 (Legea 17/2023), so a deadline of 2022
runs through them; Orthodox Good Friday, Easter and Rusalii move every year. Extra closed days (bridge
days for everyone, an issuer's own closures) are data: workdays.ClosedDay, edited in the admin.
"""
from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.easter import EASTER_ORTHODOX, easter
from django.db.models import Q


def orthodox_easter(year: int) -> date:
    """Orthodox Easter Sunday (Gregorian date), by dateutil's computus (the one `holidays` uses)."""
    return easter(year, EASTER_ORTHODOX)


@lru_cache(maxsize=256)
def public_holidays(year: int) -> dict[date, str]:
    """The public holidays of `year` in Romania with their Romanian names (several on one day joined by "; ")."""
    return dict(sorted(holidays.country_holidays("RO", years=year, language="ro").items()))


def extra_closed_days(start: date, end: date, issuer_id: int | None = None) -> dict[date, str]:
    """Closed days of everyone (no issuer) and, when given, the issuer's own."""
    from workdays.models import ClosedDay

    whose = Q(issuer__isnull=True) | Q(issuer_id=issuer_id) if issuer_id else Q(issuer__isnull=True)
    return dict(ClosedDay.objects.filter(whose, date__range=(start, end)).values_list("date", "reason"))


@dataclass
class Closures:
    """Closed days (weekends excluded) over a range, public holidays plus configured ones."""

    start: date
    end: date
    days: dict[date, str] = field(default_factory=dict)

    @classmethod
    def load(cls, start: date, end: date, issuer_id: int | None = None) -> Closures:
        days: dict[date, str] = {}
        for year in range(start.year, end.year + 1):
            days.update({d: n for d, n in public_holidays(year).items() if start <= d <= end})
        days.update(extra_closed_days(start, end, issuer_id))
        return cls(start, end, days)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.days


@dataclass
class Deadline:
    due: date
    skipped: list[tuple[date, str]]  # closed days passed over (holidays and weekends)


def add_working_days(start: date, n: int, issuer_id: int | None = None) -> Deadline:
    """The n-th working day after `start` (the day of registration itself does not count)."""
    # Two extra weeks per 5 working days is more than enough room for holidays.
    closures = Closures.load(start, start + timedelta(days=n * 2 + 30), issuer_id)
    day, counted, skipped = start, 0, []
    while counted < n:
        day += timedelta(days=1)
        if closures.is_working_day(day):
            counted += 1
        else:
            skipped.append((day, closures.days.get(day, "weekend")))
    return Deadline(day, skipped)


def add_calendar_days(start: date, n: int, issuer_id: int | None = None) -> Deadline:
    """Calendar days; a term ending on a closed day moves to the next working day (Cod proc. civ. art. 181)."""
    due = start + timedelta(days=n)
    closures = Closures.load(due, due + timedelta(days=30), issuer_id)
    skipped = []
    while not closures.is_working_day(due):
        skipped.append((due, closures.days.get(due, "weekend")))
        due += timedelta(days=1)
    return Deadline(due, skipped)


def add_months(start: date, months: int) -> date:
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(start.day, _cal.monthrange(year, month)[1]))


def subtract_working_days(end: date, n: int, issuer_id: int | None = None) -> date:
    """The latest day that is still n working days before `end`."""
    closures = Closures.load(end - timedelta(days=n * 2 + 30), end, issuer_id)
    day, counted = end, 0
    while counted < n:
        day -= timedelta(days=1)
        if closures.is_working_day(day):
            counted += 1
    return day


@dataclass(frozen=True)
class Policy:
    amount: int
    unit: str  # working_days | days | months
    legal_basis: str


# Domain defaults (domain-ro.md §1.3–1.4); overridable per rule through workdays.DeadlinePolicy.
DEFAULT_POLICIES: dict[str, Policy] = {
    "cu_completeness": Policy(10, "working_days", "Legea 50/1991 art. 6^1, Legea 193/2019"),
    "ac_completeness": Policy(5, "working_days", "Legea 50/1991 art. 7, Legea 193/2019"),
    "cu_issue": Policy(15, "working_days", "Legea 50/1991 art. 6(2), Legea 193/2019"),
    "ac_issue": Policy(30, "days", "Legea 50/1991 art. 7(1)"),
    "ad_issue": Policy(30, "days", "Legea 50/1991 art. 7(1)"),
    "cu_validity_min": Policy(6, "months", "Norme 839/2009 art. 36"),
    "cu_validity_max": Policy(24, "months", "Norme 839/2009 art. 36"),
    "cu_extension_max": Policy(12, "months", "Legea 50/1991 art. 6^1(4)"),
    "cu_extension_notice": Policy(15, "days", "Legea 50/1991 art. 6^1(4)"),
    "ac_start_max": Policy(12, "months", "Legea 50/1991 art. 7(5)"),
    "ac_extension_max": Policy(24, "months", "Legea 50/1991 art. 7(7), Legea 176/2022"),
    "ac_extension_notice": Policy(45, "working_days", "Legea 50/1991 art. 7(7), Legea 176/2022"),
    # The regime before Law 176/2022, still applied to acts issued before 13.06.2022 (permits.extensions).
    "ac_extension_max_before_2022": Policy(12, "months", "Legea 50/1991 art. 7(7) înainte de Legea 176/2022"),
    "ac_extension_notice_before_2022": Policy(15, "days", "Legea 50/1991 art. 7(7) înainte de Legea 176/2022"),
    # An application returned for completion and not completed within this term lapses (local policy).
    "returned_completion_max": Policy(30, "days", "politică internă: termen de completare a documentației"),
    "due_soon": Policy(3, "working_days", "internal: staff warning window"),
    # [U] The address certificate has no term of its own in Law 50/1991: the general term of petitions.
    "address_completeness": Policy(5, "working_days", "politică internă [U]"),
    "address_issue": Policy(30, "days", "OG 27/2002 art. 8 (termenul general al petițiilor) [U]"),
    # Works after the AC/AD (permits.works). The reminders are local defaults [U], editable as DeadlinePolicy rows.
    "works_start_reminder": Policy(30, "days", "politică internă: reamintire înainte de termenul de începere"),
    "works_end_reminder": Policy(30, "days", "politică internă: reamintire înainte de sfârșitul duratei de execuție"),
    "works_regularisation": Policy(15, "days", "Legea 227/2015 (Codul fiscal) art. 474: regularizare în 15 zile"),
}


def policy(rule: str) -> Policy:
    from workdays.models import DeadlinePolicy

    row = DeadlinePolicy.objects.filter(rule=rule).first()
    if row is not None:
        return Policy(row.amount, row.unit, row.legal_basis)
    return DEFAULT_POLICIES[rule]


def due_soon_until(today: date) -> date:
    """The last day an open deadline counts as "due soon" from `today`: the `due_soon` policy in working
    days (default 3). The one definition for the API filters, the staff pages and the avize inbox."""
    return add_working_days(today, policy("due_soon").amount).due


def deadline(start: date, rule: str, issuer_id: int | None = None) -> Deadline:
    """Apply a deadline rule from `start` (e.g. the registration date), with the issuer's closed days."""
    p = policy(rule)
    if p.unit == "working_days":
        return add_working_days(start, p.amount, issuer_id)
    if p.unit == "days":
        return add_calendar_days(start, p.amount, issuer_id)
    return Deadline(add_months(start, p.amount), [])


def working_days_between(start: date, end: date, issuer_id: int | None = None) -> int:
    """Working days in (start, end]: used to shift a deadline after a stopped clock."""
    if end <= start:
        return 0
    closures = Closures.load(start, end, issuer_id)
    return sum(1 for i in range(1, (end - start).days + 1) if closures.is_working_day(start + timedelta(days=i)))
