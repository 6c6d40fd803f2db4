"""Task kinds of the callback queue: their priority class, rank, step and due rule
(PROCESSES.md §7.2 and §10). The queue orders by ``priority`` (class, then rank inside the
class: "attended, no order" is called before "attended, ordered"), then due time, then the
original request time.

Where the seeds give no due time (targeted recommendations, outreach lists) the defaults
here are the product's: 3 and 5 working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from aftersales_calendar import BusinessCalendar, WorkingDays, WorkingHours
from aftersales_chassis import RuleViolation


class TaskKind(StrEnum):
    new_signup = "new_signup"
    missed_call = "missed_call"
    returning_signup = "returning_signup"
    event_signup = "event_signup"
    review_call = "review_call"
    unpaid_phone_reminder = "unpaid_phone_reminder"
    post_event_attended_no_order = "post_event_attended_no_order"
    post_event_attended_ordered = "post_event_attended_ordered"
    post_event_no_show = "post_event_no_show"
    recommendation = "recommendation"
    a8_follow_up = "a8_follow_up"
    outreach = "outreach"


@dataclass(frozen=True)
class KindRule:
    priority_class: str
    priority: int
    step: str  # the step id a task of this kind is opened at (the audit trail's, and its source step)
    needs_event_date: bool = False


RULES: dict[TaskKind, KindRule] = {
    TaskKind.new_signup: KindRule("highest", 10, "§7.2"),
    TaskKind.missed_call: KindRule("highest", 10, "§7.1"),
    TaskKind.returning_signup: KindRule("high", 20, "§7.2"),
    TaskKind.event_signup: KindRule("high", 20, "§7.2", needs_event_date=True),
    TaskKind.review_call: KindRule("high", 20, "W1"),
    TaskKind.unpaid_phone_reminder: KindRule("high", 20, "B5"),
    TaskKind.post_event_attended_no_order: KindRule("medium", 30, "§7.2", needs_event_date=True),
    TaskKind.post_event_attended_ordered: KindRule("medium", 31, "§7.2", needs_event_date=True),
    TaskKind.post_event_no_show: KindRule("medium", 32, "§7.2", needs_event_date=True),
    TaskKind.recommendation: KindRule("medium", 33, "§7.2"),
    TaskKind.a8_follow_up: KindRule("medium", 33, "A8"),
    TaskKind.outreach: KindRule("low", 40, "§7.2"),
}
OPENING_STEPS = sorted({rule.step for rule in RULES.values()})
CLASSES = ("highest", "high", "medium", "low")


@dataclass(frozen=True)
class Due:
    not_before: datetime
    due_at: datetime
    rule: str


def _signup(calendar: BusinessCalendar, at: datetime, within: timedelta, what: str) -> Due:
    """§7.2 signups: ``within`` of working time when signed up in working time; outside it,
    by the close of the first working day after (§10 "within 1 wd after work starts")."""
    minutes = int(within.total_seconds() // 60)
    if calendar.is_working_time(at):
        return Due(at, calendar.add(at, WorkingHours(within)), f"{what}: {minutes} min of working time")
    due = calendar.close_of_first_working_day_after(at)
    return Due(at, due, f"{what} off hours: by the close of the first working day after")


def last_working_day_on_or_before(calendar: BusinessCalendar, day: date) -> date:
    for back in range(0, 60):
        candidate = day - timedelta(days=back)
        if calendar.is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day in the 60 days before {day}")  # pragma: no cover


def _event_week_before(calendar: BusinessCalendar, now: datetime, event_day: date) -> Due:
    """§10: the "1 week before" call falls on the last working day on or before event − 7 days."""
    day = last_working_day_on_or_before(calendar, event_day - timedelta(days=7))
    hours = calendar.hours_on(day)
    assert hours is not None
    opens, closes = hours
    if closes <= now:  # signed up later than that day: call at once, by the close of the next working day
        return Due(now, calendar.close_of_first_working_day_after(now), "event signup after the week-before day")
    return Due(max(opens, now), closes, f"event {event_day}: on {day}, the last working day on or before event − 7 d")


def _after_event(calendar: BusinessCalendar, now: datetime, event_day: date) -> Due:
    """ "Right after that event": by the close of the first working day after the event's day."""
    end_of_event_day = datetime.combine(event_day + timedelta(days=1), time(0), calendar.zone)
    start = max(now, end_of_event_day)
    return Due(now, calendar.close_of_first_working_day_after(start), "right after the event: next working day")


def due_of(
    kind: TaskKind, calendar: BusinessCalendar, now: datetime, requested_at: datetime, event_date: date | None
) -> Due:
    """When a task of ``kind`` may be called from and is due, on the business calendar."""
    if RULES[kind].needs_event_date and event_date is None:
        raise RuleViolation(
            "§7.2.event-date-required", f"a {kind} task needs the event's date", field="body.event_date"
        )
    if kind is TaskKind.new_signup:
        return _signup(calendar, requested_at, timedelta(minutes=15), "new signup")
    if kind is TaskKind.returning_signup:
        return _signup(calendar, requested_at, timedelta(hours=1), "returning customer signed up today")
    if kind is TaskKind.missed_call:
        return Due(now, calendar.close_of_first_working_day_after(now), "missed call: the same working day")
    if kind is TaskKind.event_signup:
        assert event_date is not None
        return _event_week_before(calendar, now, event_date)
    if kind in (
        TaskKind.post_event_attended_no_order,
        TaskKind.post_event_attended_ordered,
        TaskKind.post_event_no_show,
    ):
        assert event_date is not None
        return _after_event(calendar, now, event_date)
    if kind is TaskKind.review_call:
        return Due(now, requested_at + timedelta(hours=24), "§5: within 24 h of the review")
    if kind is TaskKind.unpaid_phone_reminder:
        return Due(now, requested_at + timedelta(hours=1), "B5: within 1 h of the order")
    if kind is TaskKind.a8_follow_up:
        workable = requested_at + timedelta(days=3)
        due = calendar.close_of_first_working_day_after(workable)
        return Due(workable, due, "A8: from 3 days after signed for, by the close of the first working day then")
    if kind is TaskKind.recommendation:
        return Due(now, calendar.add(now, WorkingDays(3)), "targeted recommendation: 3 working days (default)")
    return Due(now, calendar.add(now, WorkingDays(5)), "outreach list: 5 working days (default)")
