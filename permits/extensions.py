"""The AC/AD extension (prelungire) regimes, chosen by the issue date of the act being extended.

Law 176/2022 (in force 13.06.2022) changed Law 50/1991 art. 7(7): an AC/AD issued from that day is
extended once, free of charge, for at most 24 months, on a request made at least 45 working days
before expiry. An act issued before keeps the regime it was issued under: request at least 15
(calendar) days before expiry, at most 12 months, fee 30 % of the initial AC fee (Cod fiscal art.
474(14)). The terms are policy rules (workdays.calendar, overridable through DeadlinePolicy) so a
further change of law is data, not code.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_noop

from permits.choices import Kind, Status
from workdays import calendar


@dataclass(frozen=True)
class ExtensionRegime:
    """One legal regime of AC/AD extensions: applies to acts issued on or after `issued_from`."""

    code: str
    issued_from: date
    notice_rule: str  # workdays.calendar policy: how long before expiry the request must be filed
    max_rule: str  # workdays.calendar policy: longest extension, in months
    fee_factor: Decimal  # share of the initial AC/AD fee (0: free)
    max_extensions: int
    legal_basis: str

    def notice(self) -> calendar.Policy:
        return calendar.policy(self.notice_rule)

    def max_months(self) -> int:
        return calendar.policy(self.max_rule).amount

    def request_deadline(self, valid_until: date) -> date:
        """The last day on which the extension may be requested for an act valid until `valid_until`."""
        notice = self.notice()
        if notice.unit == "working_days":
            return calendar.subtract_working_days(valid_until, notice.amount)
        if notice.unit == "days":
            return valid_until - timedelta(days=notice.amount)
        return calendar.add_months(valid_until, -notice.amount)


# Newest first: the first regime whose start is not after the issue date applies.
REGIMES: tuple[ExtensionRegime, ...] = (
    ExtensionRegime("law_176_2022", date(2022, 6, 13), "ac_extension_notice", "ac_extension_max",
                    Decimal("0"), 1, gettext_noop("Legea 50/1991 art. 7(7), modificată prin Legea 176/2022")),
    ExtensionRegime("before_2022", date(1991, 1, 1), "ac_extension_notice_before_2022",
                    "ac_extension_max_before_2022", Decimal("0.3"), 1,
                    gettext_noop("Legea 50/1991 art. 7(7) înainte de Legea 176/2022; Legea 227/2015 art. 474(14)")),
)


def regime_for(issued_on: date | None) -> ExtensionRegime:
    """The regime of an act issued on `issued_on` (unknown date: the current regime)."""
    if issued_on is None:
        return REGIMES[0]
    for regime in REGIMES:
        if issued_on >= regime.issued_from:
            return regime
    return REGIMES[-1]


def issued_on_of(act_application) -> date | None:
    """The issue date of the AC/AD being extended (its IssuedAct), if it has one."""
    act = getattr(act_application, "act", None) if act_application is not None else None
    if act is not None:
        return act.issued_on
    return None


# Law 50/1991 art. 7(7): the extension is asked when the works cannot be started, or cannot be finished, by the
# deadline. An AC/AD is extendable while issued (not started) or while its works are under way; once they have
# ended (or been received) there is nothing left to extend, and an expired act is dead.
EXTENDABLE_STATUSES: dict[str, tuple[str, ...]] = {
    Kind.CU: (Status.ISSUED,), Kind.AC: (Status.ISSUED, Status.WORKS_STARTED), Kind.AD: (Status.ISSUED, Status.WORKS_STARTED),
}


def extendable(act_application) -> bool:
    """Whether this act's holder may ask for its extension now (whatever the deadline of the request says)."""
    return act_application.status in EXTENDABLE_STATUSES.get(act_application.kind, ())


def extension_term(act_application) -> date | None:
    """The date the extension carries forward: the term to start the works (the act's validity) or, once
    they started, the end of the authorised execution (art. 7(5): the AC holds for the whole execution)."""
    works = getattr(act_application, "works", None) if act_application.status == Status.WORKS_STARTED else None
    if works is not None:
        return works.end_due
    return act_application.valid_until
