"""The legal calendar on worked examples: Orthodox Easter, Rusalii, New Year, holidays as the law had them
year by year (the `holidays` library), closed days for everyone and an issuer's own."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from workdays import calendar
from workdays.models import ClosedDay, DeadlinePolicy


@pytest.mark.parametrize("year, easter", [(2024, date(2024, 5, 5)), (2025, date(2025, 4, 20)),
                                          (2026, date(2026, 4, 12)), (2027, date(2027, 5, 2)),
                                          (2023, date(2023, 4, 16)), (2100, date(2100, 5, 2))])
def test_orthodox_easter_follows_the_julian_computus(year, easter):
    assert calendar.orthodox_easter(year) == easter


def test_public_holidays_of_2026_include_the_movable_feasts():
    days = calendar.public_holidays(2026)
    for d in (date(2026, 4, 10), date(2026, 4, 12), date(2026, 4, 13), date(2026, 5, 31), date(2026, 6, 1),
              date(2026, 1, 6), date(2026, 1, 7), date(2026, 1, 24), date(2026, 11, 30), date(2026, 12, 26)):
        assert d in days
    assert date(2026, 4, 14) not in days
    assert len(days) == 16  # 12 fixed + 5 movable, but Rusalii Monday falls on 1 June in 2026


@pytest.mark.django_db
def test_cu_issue_across_orthodox_easter_2026_skips_good_friday_and_easter_monday():
    # Registered Wednesday 8 April 2026; 15 working days, Easter on 12 April.
    result = calendar.deadline(date(2026, 4, 8), "cu_issue")
    skipped = [d for d, _ in result.skipped]
    assert date(2026, 4, 10) in skipped and date(2026, 4, 13) in skipped
    # 9 Apr (1), 14–17 (5), 20–24 (10), 27–30 (14), 1 May holiday, 4 May (15)
    assert result.due == date(2026, 5, 4)
    assert dict(result.skipped)[date(2026, 5, 1)] == "Ziua Muncii"


@pytest.mark.django_db
def test_cu_completeness_over_new_year_skips_christmas_new_year_and_epiphany():
    # Registered Monday 22 December 2025; 10 working days.
    result = calendar.deadline(date(2025, 12, 22), "cu_completeness")
    # 23, 24 (2), 29, 30, 31 (5), 5 Jan (6), 8, 9 (8), 12, 13 (10)
    assert result.due == date(2026, 1, 13)
    names = dict(result.skipped)
    assert "Boboteaza" in names[date(2026, 1, 6)] and names[date(2026, 1, 1)] == "Anul Nou"


@pytest.mark.django_db
def test_ac_completeness_around_easter_2027():
    # Easter 2 May 2027: Good Friday 30 April, Easter Monday 3 May; 1 May is a Saturday.
    result = calendar.deadline(date(2027, 4, 28), "ac_completeness")
    assert result.due == date(2027, 5, 7)  # 29 Apr (1), 4 (2), 5 (3), 6 (4), 7 May (5)
    assert [d for d, _ in result.skipped if d.weekday() < 5] == [date(2027, 4, 30), date(2027, 5, 3)]


@pytest.mark.django_db
def test_ac_issue_is_30_calendar_days_moved_past_a_closed_day():
    # 30 days after 2 Dec 2026 is 1 Jan 2027 (holiday), then 2 Jan (holiday) and a weekend: 4 Jan.
    result = calendar.deadline(date(2026, 12, 2), "ac_issue")
    assert result.due == date(2027, 1, 4)


@pytest.mark.django_db
def test_an_extra_closed_day_and_a_policy_override_change_the_deadline():
    base = calendar.deadline(date(2026, 3, 2), "cu_completeness").due
    assert base == date(2026, 3, 16)
    ClosedDay.objects.create(date=date(2026, 3, 5), reason="Zi liberă decisă de Guvern")
    assert calendar.deadline(date(2026, 3, 2), "cu_completeness").due == date(2026, 3, 17)
    DeadlinePolicy.objects.create(rule="cu_completeness", amount=5, unit="working_days")
    assert calendar.deadline(date(2026, 3, 2), "cu_completeness").due == date(2026, 3, 10)


@pytest.mark.parametrize("year, good_friday, easter_monday, rusalii_monday", [
    (2022, date(2022, 4, 22), date(2022, 4, 25), date(2022, 6, 13)),
    (2023, date(2023, 4, 14), date(2023, 4, 17), date(2023, 6, 5)),
    (2025, date(2025, 4, 18), date(2025, 4, 21), date(2025, 6, 9)),
    (2028, date(2028, 4, 14), date(2028, 4, 17), date(2028, 6, 5)),
])
def test_orthodox_good_friday_easter_and_rusalii_by_year(year, good_friday, easter_monday, rusalii_monday):
    days = calendar.public_holidays(year)
    assert days[good_friday] == "Vinerea Mare" and days[easter_monday] == "Paștele"
    assert "Rusaliile" in days[rusalii_monday] and "Rusaliile" in days[rusalii_monday - timedelta(days=1)]
    assert calendar.orthodox_easter(year) == easter_monday - timedelta(days=1)


@pytest.mark.django_db
def test_6_and_7_january_do_not_shift_a_2022_deadline_they_were_not_holidays_yet():
    # Legea 17/2023 made 6–7 January public holidays from 2024. Registered Monday 3 January 2022:
    # 4, 5, 6, 7 January were working days then, so 5 working days end on Monday 10 January.
    assert date(2022, 1, 6) not in calendar.public_holidays(2022)
    result = calendar.deadline(date(2022, 1, 3), "ac_completeness")
    assert result.due == date(2022, 1, 10)
    assert [d for d, _ in result.skipped] == [date(2022, 1, 8), date(2022, 1, 9)]


@pytest.mark.django_db
def test_6_and_7_january_shift_a_2025_deadline():
    # Registered Friday 3 January 2025: Monday 6 and Tuesday 7 are holidays; 8, 9, 10, 13, 14 January.
    result = calendar.deadline(date(2025, 1, 3), "ac_completeness")
    assert result.due == date(2025, 1, 14)
    names = dict(result.skipped)
    assert "Boboteaza" in names[date(2025, 1, 6)] and "Ioan" in names[date(2025, 1, 7)]


@pytest.mark.django_db
def test_an_issuer_closed_day_shifts_only_that_issuer_deadlines(territory):
    mayor, other = territory["issuer_a"], territory["issuer_b"]
    ClosedDay.objects.create(date=date(2026, 3, 5), reason="Ziua orașului", issuer=mayor)
    assert calendar.deadline(date(2026, 3, 2), "cu_completeness", mayor.pk).due == date(2026, 3, 17)
    assert dict(calendar.deadline(date(2026, 3, 2), "cu_completeness", mayor.pk).skipped)[date(2026, 3, 5)] == (
        "Ziua orașului")
    assert calendar.deadline(date(2026, 3, 2), "cu_completeness", other.pk).due == date(2026, 3, 16)
    assert calendar.deadline(date(2026, 3, 2), "cu_completeness").due == date(2026, 3, 16)


@pytest.mark.django_db
def test_the_public_calculator_returns_the_due_date_and_the_closed_days(api):
    response = api().get("/api/v1/calendar/deadline/", {"from": "2026-04-08", "rule": "cu_issue"})
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2026-05-04"
    assert {"date": "2026-04-13", "reason": "Paștele"} in body["skipped"]


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"from": "2026-02-30", "rule": "cu_issue"}, {"from": "2026-01-01", "rule": "x"},
                                    {"rule": "cu_issue"}, {"from": "0001-01-01", "rule": "cu_issue"}])
def test_the_calculator_rejects_bad_input_with_400(api, params):
    assert api().get("/api/v1/calendar/deadline/", params).status_code == 400
