"""The business calendar: when the shop works, and due times on it (PROCESSES.md §10 "Time").

Per local day the calendar resolves at most one opening interval: an operator override
beats the holiday data, which beats the weekly schedule; a make-up working day (调休) and
an "open" override use the default hours. Days are resolved once and cached, so adding a
few working days is a handful of dictionary look-ups. Every result is an aware UTC datetime.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from .durations import Duration, WallClock, WorkingDays, WorkingHours
from .holiday_source import ChinaHolidays, HolidaySource

OverrideKind = Literal["closed", "open", "hours"]
Interval = tuple[datetime, datetime]

NINE_TO_SIX = (time(9), time(18))
DEFAULT_WEEKLY_HOURS: Mapping[int, tuple[time, time] | None] = {
    0: NINE_TO_SIX, 1: NINE_TO_SIX, 2: NINE_TO_SIX, 3: NINE_TO_SIX, 4: NINE_TO_SIX, 5: None, 6: None,
}  # fmt: skip
# How far any search looks before deciding the calendar has no working time at all.
SEARCH_LIMIT_DAYS = 3660
_ZERO = timedelta(0)


class NaiveDatetimeError(ValueError):
    """A datetime without a UTC offset was given; the calendar only takes aware instants."""


@dataclass(frozen=True)
class Override:
    """One day changed by an operator: ``closed`` (extra closure), ``open`` (extra working
    day with the default hours) or ``hours`` (different hours that day)."""

    day: date
    kind: OverrideKind
    opens: time | None = None
    closes: time | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind == "hours":
            if self.opens is None or self.closes is None or not self.opens < self.closes:
                raise ValueError("an 'hours' override needs opens < closes")
        elif self.kind in ("closed", "open"):
            if self.opens is not None or self.closes is not None:
                raise ValueError(f"a '{self.kind}' override takes no opens/closes")
        else:
            raise ValueError(f"unknown override kind {self.kind!r}")


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(f"{name} has no UTC offset: {value.isoformat()}")
    return value


def _check_hours(hours: tuple[time, time] | None, what: str) -> tuple[time, time] | None:
    if hours is not None and not hours[0] < hours[1]:
        raise ValueError(f"{what}: opening must be before closing (overnight hours are not supported)")
    return hours


class BusinessCalendar:
    def __init__(
        self,
        *,
        zone: str = "Asia/Shanghai",
        weekly_hours: Mapping[int, tuple[time, time] | None] = DEFAULT_WEEKLY_HOURS,
        overrides: Iterable[Override] = (),
        holiday_source: HolidaySource | None = None,
    ) -> None:
        self.zone = ZoneInfo(zone)
        self.weekly_hours = {d: _check_hours(weekly_hours.get(d), f"weekday {d}") for d in range(7)}
        self.default_hours: tuple[time, time] = next(
            (h for h in self.weekly_hours.values() if h is not None), NINE_TO_SIX
        )
        self.holiday_source: HolidaySource = holiday_source if holiday_source is not None else ChinaHolidays()
        self.overrides: dict[date, Override] = {o.day: o for o in overrides}
        self._days: dict[date, Interval | None] = {}

    def with_settings(self, zone: str, weekly_hours: Mapping[int, tuple[time, time] | None]) -> BusinessCalendar:
        """A calendar of this one's holidays and overrides in another zone, with other weekly hours."""
        return BusinessCalendar(
            zone=zone, weekly_hours=weekly_hours, overrides=self.overrides.values(), holiday_source=self.holiday_source
        )

    def with_overrides(self, overrides: Iterable[Override]) -> BusinessCalendar:
        """A copy with these overrides on top of this calendar's own (a later one wins per day)."""
        copy = BusinessCalendar.__new__(BusinessCalendar)
        copy.zone, copy.weekly_hours, copy.default_hours = self.zone, self.weekly_hours, self.default_hours
        copy.holiday_source = self.holiday_source
        changed = {o.day: o for o in overrides}
        copy.overrides = {**self.overrides, **changed}
        copy._days = {day: hours for day, hours in self._days.items() if day not in changed}
        return copy

    # --- days ---------------------------------------------------------------------------

    def _local_hours(self, day: date) -> tuple[time, time] | None:
        override = self.overrides.get(day)
        if override is not None:
            if override.kind == "closed":
                return None
            if override.kind == "open":
                return self.default_hours
            assert override.opens is not None
            assert override.closes is not None
            return override.opens, override.closes
        if day in self.holiday_source.holidays_in(day.year):
            return None
        if day in self.holiday_source.workdays_in(day.year):
            return self.default_hours
        return self.weekly_hours[day.weekday()]

    def _interval(self, day: date) -> Interval | None:
        if day in self._days:  # cached (None means closed all day)
            return self._days[day]
        hours = self._local_hours(day)
        interval = None
        if hours is not None:
            opens = datetime.combine(day, hours[0], self.zone).astimezone(UTC)
            closes = datetime.combine(day, hours[1], self.zone).astimezone(UTC)
            interval = (opens, closes) if opens < closes else None
        self._days[day] = interval
        return interval

    def is_working_day(self, day: date) -> bool:
        return self._interval(day) is not None

    def hours_on(self, day: date) -> tuple[datetime, datetime] | None:
        interval = self._interval(day)
        return None if interval is None else (interval[0].astimezone(self.zone), interval[1].astimezone(self.zone))

    def is_provisional(self, day: date) -> bool:
        return not self.holiday_source.is_official(day.year)

    def _local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def _days_from(self, day: date, step: int = 1) -> Iterable[date]:
        one = timedelta(days=step)
        for _ in range(SEARCH_LIMIT_DAYS):
            yield day
            try:
                day += one
            except OverflowError:
                break
        raise ValueError(f"no working time within {SEARCH_LIMIT_DAYS} days of {day}; check the calendar")

    def _shift_working_days(self, day: date, n: int) -> date:
        """The n-th working day after (n > 0) or before (n < 0) ``day``."""
        remaining, step = abs(n), (1 if n > 0 else -1)
        if remaining == 0:
            return day
        for candidate in self._days_from(day + timedelta(days=step), step):
            if self._interval(candidate) is not None:
                remaining -= 1
                if remaining == 0:
                    return candidate
        raise AssertionError("unreachable")  # pragma: no cover

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``[start, end)``; 0 if ``end <= start``."""
        count, day = 0, start
        while day < end:
            count += self._interval(day) is not None
            day += timedelta(days=1)
        return count

    # --- instants -----------------------------------------------------------------------

    def is_working_time(self, at: datetime) -> bool:
        at = _aware(at, "at")
        interval = self._interval(self._local_day(at))
        return interval is not None and interval[0] <= at < interval[1]

    def next_opening(self, at: datetime) -> datetime:
        at = _aware(at, "at").astimezone(UTC)
        for day in self._days_from(self._local_day(at)):
            interval = self._interval(day)
            if interval is not None and at < interval[1]:
                return max(at, interval[0])
        raise AssertionError("unreachable")  # pragma: no cover

    def _previous_closing(self, at: datetime) -> datetime:
        """``at`` if it is working time or exactly a closing instant, else the last closing before it."""
        for day in self._days_from(self._local_day(at), -1):
            interval = self._interval(day)
            if interval is not None and interval[0] <= at:
                return min(at, interval[1])
        raise AssertionError("unreachable")  # pragma: no cover

    def close_of_first_working_day_after(self, at: datetime) -> datetime:
        """The close of the working day on which work next starts (or is going on) at ``at``."""
        opening = self.next_opening(at)
        interval = self._interval(self._local_day(opening))
        assert interval is not None
        return interval[1]

    def add(self, start: datetime, duration: Duration) -> datetime:
        start = _aware(start, "start").astimezone(UTC)
        if isinstance(duration, WallClock):
            return start + duration.delta
        if isinstance(duration, WorkingHours):
            return self._add_working(start, duration.delta)
        if isinstance(duration, WorkingDays):
            return self._add_days(start, duration.days)
        raise TypeError(f"not a Duration: {duration!r}")

    def subtract(self, end: datetime, duration: Duration) -> datetime:
        end = _aware(end, "end").astimezone(UTC)
        if isinstance(duration, WallClock):
            return end - duration.delta
        if isinstance(duration, WorkingHours):
            return self._subtract_working(end, duration.delta)
        if isinstance(duration, WorkingDays):
            return self._subtract_days(end, duration.days)
        raise TypeError(f"not a Duration: {duration!r}")

    def _add_working(self, start: datetime, delta: timedelta) -> datetime:
        if delta <= _ZERO:
            return start
        remaining = delta
        for day in self._days_from(self._local_day(start)):
            interval = self._interval(day)
            if interval is None or start >= interval[1]:
                continue
            begin = max(start, interval[0])
            available = interval[1] - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def _subtract_working(self, end: datetime, delta: timedelta) -> datetime:
        if delta <= _ZERO:
            return end
        remaining = delta
        for day in self._days_from(self._local_day(end), -1):
            interval = self._interval(day)
            if interval is None or end <= interval[0]:
                continue
            finish = min(end, interval[1])
            available = finish - interval[0]
            if remaining <= available:
                return finish - remaining
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def _at_clock_time(self, day: date, local: time) -> datetime:
        interval = self._interval(day)
        assert interval is not None
        wanted = datetime.combine(day, local, self.zone).astimezone(UTC)
        return min(max(wanted, interval[0]), interval[1])

    def _add_days(self, start: datetime, days: int) -> datetime:
        if self.is_working_time(start):
            local = start.astimezone(self.zone)
            target = self._shift_working_days(local.date(), days)
            return self._at_clock_time(target, local.time())
        opening = self.next_opening(start)
        if days == 0:
            return opening
        target = self._shift_working_days(self._local_day(opening), days)
        interval = self._interval(target)
        assert interval is not None
        return interval[0]

    def _subtract_days(self, end: datetime, days: int) -> datetime:
        anchor = end if self.is_working_time(end) else self._previous_closing(end)
        if days == 0:
            return anchor
        local = anchor.astimezone(self.zone)
        target = self._shift_working_days(local.date(), -days)
        return self._at_clock_time(target, local.time())

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        start = _aware(start, "start").astimezone(UTC)
        end = _aware(end, "end").astimezone(UTC)
        total = _ZERO
        if end <= start:
            return total
        day, last = self._local_day(start), self._local_day(end)
        while day <= last:
            interval = self._interval(day)
            if interval is not None:
                overlap = min(end, interval[1]) - max(start, interval[0])
                total += max(overlap, _ZERO)
            day += timedelta(days=1)
        return total


def default_calendar(overrides: Iterable[Override] = ()) -> BusinessCalendar:
    """Asia/Shanghai, Mon-Fri 09:00-18:00, Chinese statutory holidays and make-up days."""
    overrides = tuple(overrides)
    return _DEFAULT.with_overrides(overrides) if overrides else _DEFAULT


_DEFAULT = BusinessCalendar()
