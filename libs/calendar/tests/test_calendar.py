"""Edge cases of the calendar: boundaries, nights, weekends, holidays, make-up days, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales_calendar import (
    BusinessCalendar,
    NaiveDatetimeError,
    NoHolidays,
    Override,
    WallClock,
    WorkingDays,
    WorkingHours,
    default_calendar,
)

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


@pytest.fixture
def cal() -> BusinessCalendar:
    return default_calendar()


def test_opening_is_working_time_and_closing_is_not(cal: BusinessCalendar) -> None:
    assert cal.is_working_time(sh(2025, 3, 3, 9))
    assert not cal.is_working_time(sh(2025, 3, 3, 18))
    assert cal.is_working_time(sh(2025, 3, 3, 17, 59, 59))
    assert not cal.is_working_time(sh(2025, 3, 3, 8, 59, 59))


def test_results_are_utc_and_inputs_any_zone(cal: BusinessCalendar) -> None:
    start = datetime(2025, 3, 3, 2, tzinfo=UTC)  # 10:00 Shanghai
    due = cal.add(start, WorkingHours(2 * H))
    assert due.tzinfo is UTC
    assert due == sh(2025, 3, 3, 12)
    assert cal.add(start.astimezone(ZoneInfo("America/New_York")), WorkingHours(2 * H)) == due


def test_next_opening(cal: BusinessCalendar) -> None:
    assert cal.next_opening(sh(2025, 3, 3, 10)) == sh(2025, 3, 3, 10)
    assert cal.next_opening(sh(2025, 3, 3, 18)) == sh(2025, 3, 4, 9)
    assert cal.next_opening(sh(2025, 3, 3, 7)) == sh(2025, 3, 3, 9)
    assert cal.next_opening(sh(2025, 3, 7, 20)) == sh(2025, 3, 10, 9)  # Friday night -> Monday
    assert cal.next_opening(sh(2025, 3, 3, 7)).tzinfo is UTC


def test_working_hours_run_overnight_and_over_the_weekend(cal: BusinessCalendar) -> None:
    assert cal.add(sh(2025, 3, 3, 17), WorkingHours(2 * H)) == sh(2025, 3, 4, 10)
    assert cal.add(sh(2025, 3, 7, 17), WorkingHours(2 * H)) == sh(2025, 3, 10, 10)
    assert cal.add(sh(2025, 3, 8, 12), WorkingHours(2 * H)) == sh(2025, 3, 10, 11)
    # Using up the day exactly ends at the closing instant, not the next opening.
    assert cal.add(sh(2025, 3, 3, 16), WorkingHours(2 * H)) == sh(2025, 3, 3, 18)
    assert cal.add(sh(2025, 3, 3, 16), WorkingHours(timedelta(0))) == sh(2025, 3, 3, 16)


def test_working_days(cal: BusinessCalendar) -> None:
    # Inside working hours: same clock time N working days later (over the weekend).
    assert cal.add(sh(2025, 3, 6, 15, 30), WorkingDays(3)) == sh(2025, 3, 11, 15, 30)
    # Outside: from the next opening, ending at the opening time N working days after it.
    assert cal.add(sh(2025, 3, 6, 20), WorkingDays(1)) == sh(2025, 3, 10, 9)
    assert cal.add(sh(2025, 3, 8, 11), WorkingDays(3)) == sh(2025, 3, 13, 9)
    assert cal.add(sh(2025, 3, 3, 7), WorkingDays(1)) == sh(2025, 3, 4, 9)
    assert cal.add(sh(2025, 3, 3, 7), WorkingDays(0)) == sh(2025, 3, 3, 9)


def test_working_days_clamp_into_a_short_day() -> None:
    cal = default_calendar([Override(date(2025, 3, 4), "hours", time(10), time(15), "short day")])
    assert cal.add(sh(2025, 3, 3, 16, 30), WorkingDays(1)) == sh(2025, 3, 4, 15)
    assert cal.add(sh(2025, 3, 3, 9, 15), WorkingDays(1)) == sh(2025, 3, 4, 10)
    assert cal.add(sh(2025, 3, 3, 12), WorkingDays(1)) == sh(2025, 3, 4, 12)


def test_holidays_and_make_up_saturday(cal: BusinessCalendar) -> None:
    # Spring Festival 2025: closed 28 Jan - 4 Feb; Sun 26 Jan and Sat 8 Feb are worked.
    assert cal.add(sh(2025, 1, 27, 17), WorkingHours(2 * H)) == sh(2025, 2, 5, 10)
    assert cal.is_working_time(sh(2025, 2, 8, 9))
    assert cal.add(sh(2025, 2, 7, 17), WorkingHours(2 * H)) == sh(2025, 2, 8, 10)
    assert cal.add(sh(2025, 1, 24, 10), WorkingDays(1)) == sh(2025, 1, 26, 10)
    assert cal.hours_on(date(2025, 2, 8)) == (sh(2025, 2, 8, 9), sh(2025, 2, 8, 18))
    assert cal.hours_on(date(2025, 1, 29)) is None


def test_wall_clock_is_plain_addition(cal: BusinessCalendar) -> None:
    assert cal.add(sh(2025, 1, 27, 17), WallClock(24 * H)) == sh(2025, 1, 28, 17)
    assert cal.subtract(sh(2025, 1, 28, 17), WallClock(24 * H)) == sh(2025, 1, 27, 17)


def test_overrides_of_each_kind() -> None:
    cal = default_calendar(
        [
            Override(date(2025, 3, 4), "closed", note="stocktaking"),
            Override(date(2025, 3, 8), "open", note="campaign Saturday"),
            Override(date(2025, 1, 28), "open", note="open on New Year's Eve"),
            Override(date(2025, 3, 10), "hours", time(13), time(20)),
        ]
    )
    assert not cal.is_working_day(date(2025, 3, 4))
    assert cal.hours_on(date(2025, 3, 8)) == (sh(2025, 3, 8, 9), sh(2025, 3, 8, 18))
    assert cal.is_working_day(date(2025, 1, 28))  # an override beats the holiday data
    assert cal.hours_on(date(2025, 3, 10)) == (sh(2025, 3, 10, 13), sh(2025, 3, 10, 20))
    assert cal.add(sh(2025, 3, 3, 17), WorkingHours(2 * H)) == sh(2025, 3, 5, 10)
    assert cal.add(sh(2025, 3, 7, 17), WorkingHours(10 * H)) == sh(2025, 3, 8, 18)
    assert cal.add(sh(2025, 3, 7, 17), WorkingHours(11 * H)) == sh(2025, 3, 10, 14)
    # The base calendar is untouched.
    assert default_calendar().is_working_day(date(2025, 3, 4))


def test_override_validation() -> None:
    with pytest.raises(ValueError, match="opens < closes"):
        Override(date(2025, 3, 4), "hours", time(18), time(9))
    with pytest.raises(ValueError, match="takes no"):
        Override(date(2025, 3, 4), "closed", time(9), time(18))


def test_subtract_for_warnings(cal: BusinessCalendar) -> None:
    assert cal.subtract(sh(2025, 3, 4, 10), WorkingHours(2 * H)) == sh(2025, 3, 3, 17)
    assert cal.subtract(sh(2025, 3, 11, 15, 30), WorkingDays(3)) == sh(2025, 3, 6, 15, 30)
    assert cal.subtract(sh(2025, 3, 4, 20), WorkingDays(1)) == sh(2025, 3, 3, 18)


def test_working_time_between(cal: BusinessCalendar) -> None:
    assert cal.working_time_between(sh(2025, 3, 7, 17), sh(2025, 3, 10, 10)) == 2 * H
    assert cal.working_time_between(sh(2025, 3, 10, 10), sh(2025, 3, 7, 17)) == timedelta(0)
    assert cal.working_time_between(sh(2025, 1, 27, 0), sh(2025, 2, 6, 0)) == 18 * H  # 27 Jan + 5 Feb


def test_close_of_first_working_day_after(cal: BusinessCalendar) -> None:
    assert cal.close_of_first_working_day_after(sh(2025, 3, 7, 20)) == sh(2025, 3, 10, 18)
    assert cal.close_of_first_working_day_after(sh(2025, 3, 3, 7)) == sh(2025, 3, 3, 18)
    assert cal.close_of_first_working_day_after(sh(2025, 1, 27, 20)) == sh(2025, 2, 5, 18)


def test_working_days_between(cal: BusinessCalendar) -> None:
    assert cal.working_days_between(date(2025, 1, 25), date(2025, 2, 9)) == 6  # 26, 27 Jan and 5-8 Feb
    assert cal.working_days_between(date(2025, 3, 3), date(2025, 3, 10)) == 5


@pytest.mark.parametrize("method", ["is_working_time", "next_opening", "close_of_first_working_day_after"])
def test_naive_datetimes_are_rejected(cal: BusinessCalendar, method: str) -> None:
    with pytest.raises(NaiveDatetimeError, match="no UTC offset"):
        getattr(cal, method)(datetime(2025, 3, 3, 10))


def test_naive_datetimes_are_rejected_everywhere(cal: BusinessCalendar) -> None:
    naive = datetime(2025, 3, 3, 10)
    with pytest.raises(NaiveDatetimeError):
        cal.add(naive, WallClock(H))
    with pytest.raises(NaiveDatetimeError):
        cal.subtract(naive, WorkingDays(1))
    with pytest.raises(NaiveDatetimeError):
        cal.working_time_between(sh(2025, 3, 3, 10), naive)


def test_a_year_without_official_data_is_provisional_and_computed(cal: BusinessCalendar) -> None:
    assert not cal.is_provisional(date(2026, 10, 1))
    assert cal.is_provisional(date(2027, 1, 1))
    assert not cal.is_working_day(date(2027, 10, 1))  # National Day, by rule
    assert not cal.is_working_day(date(2027, 2, 8))  # Spring Festival (lunar), moved off the weekend
    for year in (2027, 2040, 2099, 2150):
        due = cal.add(datetime(year, 9, 30, 10, tzinfo=SH), WorkingDays(5))
        assert cal.is_working_time(due)


def test_a_calendar_without_working_time_raises_instead_of_looping() -> None:
    cal = BusinessCalendar(weekly_hours={}, holiday_source=NoHolidays())
    with pytest.raises(ValueError, match="no working time"):
        cal.add(sh(2025, 3, 3, 10), WorkingHours(H))
    with pytest.raises(ValueError, match="no working time"):
        cal.next_opening(sh(2025, 3, 3, 10))


def test_overnight_weekly_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="overnight"):
        BusinessCalendar(weekly_hours={0: (time(22), time(6))})


def test_custom_zone_and_hours() -> None:
    cal = BusinessCalendar(
        zone="Europe/Madrid", weekly_hours={d: (time(8), time(15)) for d in range(6)}, holiday_source=NoHolidays()
    )
    madrid = ZoneInfo("Europe/Madrid")
    # Saturday works; the DST change (30 Mar 2025) keeps local opening hours.
    assert cal.add(datetime(2025, 3, 28, 14, tzinfo=madrid), WorkingHours(2 * H)) == datetime(
        2025, 3, 29, 9, tzinfo=madrid
    )
    assert cal.next_opening(datetime(2025, 3, 29, 16, tzinfo=madrid)) == datetime(2025, 3, 31, 8, tzinfo=madrid)
    assert not cal.is_provisional(date(2099, 1, 1))


def test_with_overrides_later_wins_and_keeps_the_rest() -> None:
    base = default_calendar([Override(date(2025, 3, 4), "closed")])
    layered = base.with_overrides([Override(date(2025, 3, 5), "closed")])
    assert not layered.is_working_day(date(2025, 3, 4))
    assert not layered.is_working_day(date(2025, 3, 5))
    reopened = layered.with_overrides([Override(date(2025, 3, 4), "open")])
    assert reopened.is_working_day(date(2025, 3, 4))
