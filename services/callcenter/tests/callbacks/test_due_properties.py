"""Due times of the task kinds, property-tested against the calendar library over 2025-2026
(Spring Festival and National Day weeks, their make-up Saturdays, operator overrides)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales_calendar import BusinessCalendar, Override, WorkingHours, default_calendar
from callcenter_service.callbacks.kinds import TaskKind, due_of

CAL: BusinessCalendar = default_calendar(
    [Override(date(2026, 3, 7), "open"), Override(date(2026, 3, 10), "closed")]  # a make-up Saturday, a closure
)
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(UTC)).map(
    lambda d: d.replace(microsecond=0)
)
days = st.dates(min_value=date(2025, 1, 10), max_value=date(2026, 12, 31))
many = settings(max_examples=300, deadline=None)


def _closing(at: datetime) -> bool:
    hours = CAL.hours_on(at.astimezone(CAL.zone).date())
    return hours is not None and hours[1] == at


@many
@given(instants)
def test_a_new_signup_is_due_15_working_minutes_later_or_by_the_next_working_close(at: datetime) -> None:
    due = due_of(TaskKind.new_signup, CAL, at, at, None)
    assert due.not_before == at
    if CAL.is_working_time(at):
        assert CAL.working_time_between(at, due.due_at) == timedelta(minutes=15)
    else:  # one whole working day, the first after the signup, then due at its close
        assert _closing(due.due_at)
        opens, closes = CAL.hours_on(due.due_at.astimezone(CAL.zone).date())  # type: ignore[misc]
        assert CAL.working_time_between(at, due.due_at) == closes - opens


@many
@given(instants, days)
def test_an_event_call_falls_on_the_last_working_day_on_or_before_event_minus_7(now: datetime, event: date) -> None:
    due = due_of(TaskKind.event_signup, CAL, now, now, event)
    assert due.not_before <= due.due_at
    assert _closing(due.due_at)
    day = due.due_at.astimezone(CAL.zone).date()
    target = event - timedelta(days=7)
    if due.due_at > now and day <= target:
        assert CAL.is_working_day(day)
        assert all(not CAL.is_working_day(day + timedelta(days=n)) for n in range(1, (target - day).days + 1))
        assert due.not_before == max(now, CAL.hours_on(day)[0])  # type: ignore[index]
    else:  # the week-before day has passed: as soon as possible, by the next working close
        assert due.due_at == CAL.close_of_first_working_day_after(now)


@many
@given(instants)
def test_an_a8_follow_up_is_workable_3_days_after_and_due_by_the_next_working_close(signed: datetime) -> None:
    due = due_of(TaskKind.a8_follow_up, CAL, signed, signed, None)
    assert due.not_before == signed + timedelta(days=3)
    assert due.due_at == CAL.close_of_first_working_day_after(due.not_before)
    assert CAL.working_time_between(due.not_before, due.due_at) > timedelta(0)


@many
@given(instants)
def test_an_unanswered_retry_lands_in_calling_time(now: datetime) -> None:
    retry = CAL.add(now, WorkingHours(timedelta(minutes=30)))
    local = retry.astimezone(CAL.zone)
    hours = CAL.hours_on(local.date())
    assert hours is not None
    assert hours[0] < retry <= hours[1]
