"""Properties of the calendar arithmetic, on the real calendar with holidays and overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales_calendar import BusinessCalendar, Override, WorkingDays, WorkingHours, default_calendar

CAL: BusinessCalendar = default_calendar(
    [
        Override(date(2025, 3, 4), "closed"),
        Override(date(2025, 3, 8), "open"),
        Override(date(2025, 3, 10), "hours", time(13), time(20)),
        Override(date(2026, 6, 1), "hours", time(10, 30), time(12)),
    ]
)
TABLE = holidays.country_holidays("CN", years=[2025, 2026])

instants = st.datetimes(min_value=datetime(2024, 12, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)).map(
    lambda d: d.replace(microsecond=0)
)
working_instants = instants.map(CAL.next_opening)
spans = st.integers(min_value=1, max_value=200 * 3600).map(lambda s: timedelta(seconds=s))
many = settings(max_examples=300, deadline=None)


def is_closing(at: datetime) -> bool:
    hours = CAL.hours_on(at.astimezone(CAL.zone).date())
    return hours is not None and hours[1] == at


@many
@given(working_instants, spans)
def test_add_then_measure_round_trips(start: datetime, span: timedelta) -> None:
    assert CAL.working_time_between(start, CAL.add(start, WorkingHours(span))) == span


@many
@given(instants, spans)
def test_add_never_lands_in_a_closed_period(start: datetime, span: timedelta) -> None:
    due = CAL.add(start, WorkingHours(span))
    assert due.tzinfo is UTC
    assert CAL.is_working_time(due) or is_closing(due)


@many
@given(instants, st.integers(min_value=1, max_value=30))
def test_working_days_land_in_working_time_or_on_a_closing(start: datetime, days: int) -> None:
    due = CAL.add(start, WorkingDays(days))
    assert CAL.is_working_time(due) or is_closing(due)
    assert due > start


@many
@given(instants, instants, spans)
def test_monotonic_in_start(a: datetime, b: datetime, span: timedelta) -> None:
    early, late = min(a, b), max(a, b)
    assert CAL.add(early, WorkingHours(span)) <= CAL.add(late, WorkingHours(span))
    assert CAL.add(early, WorkingDays(2)) <= CAL.add(late, WorkingDays(2))


@many
@given(instants, spans, spans)
def test_monotonic_in_duration(start: datetime, a: timedelta, b: timedelta) -> None:
    short, long = min(a, b), max(a, b)
    assert CAL.add(start, WorkingHours(short)) <= CAL.add(start, WorkingHours(long))


@many
@given(working_instants, spans)
def test_subtract_inverts_add(start: datetime, span: timedelta) -> None:
    assert CAL.subtract(CAL.add(start, WorkingHours(span)), WorkingHours(span)) == start


@many
@given(instants, spans)
def test_subtract_gives_that_much_working_time(end: datetime, span: timedelta) -> None:
    earlier = CAL.subtract(end, WorkingHours(span))
    assert CAL.is_working_time(earlier)
    assert CAL.working_time_between(earlier, end) == span


@many
@given(working_instants, st.integers(min_value=0, max_value=20))
def test_working_days_from_working_time_keep_the_clock_time(start: datetime, days: int) -> None:
    due = CAL.add(start, WorkingDays(days))
    start_local, due_local = start.astimezone(CAL.zone), due.astimezone(CAL.zone)
    hours = CAL.hours_on(due_local.date())
    assert hours is not None
    expected = min(max(datetime.combine(due_local.date(), start_local.time(), CAL.zone), hours[0]), hours[1])
    assert due == expected
    assert CAL.working_days_between(start_local.date(), due_local.date()) == days


@settings(max_examples=500, deadline=None)
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)))
def test_agrees_with_the_holiday_library(day: date) -> None:
    if day in (date(2025, 3, 4), date(2025, 3, 8), date(2025, 3, 10), date(2026, 6, 1)):
        return  # overridden above
    expected = day in TABLE.weekend_workdays if day.weekday() >= 5 else day not in TABLE
    assert CAL.is_working_day(day) == expected
    assert not CAL.is_provisional(day)
