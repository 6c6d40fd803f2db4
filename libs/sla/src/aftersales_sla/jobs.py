"""Fixed-time jobs on the business calendar (M daily 09:00, missed-call sweeps at
10:00/13:00/15:00/17:00, monthly by the 10th), run once across replicas; gauge refreshes on
every replica."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import Clock
from aftersales_events.steps import SPEC_STEPS


@dataclass(frozen=True)
class JobContext:
    session: AsyncSession
    scheduled_for: datetime  # the run's own instant (UTC), even when it runs late
    now: datetime
    calendar: BusinessCalendar
    clock: Clock  # the scheduler's: for use cases that read the time themselves


JobAction = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True)
class FixedTimeJob:
    """``days="working"`` skips non-working days; ``monthly_by`` runs once a month on the last
    working day on or before that day of the month ("by the 10th")."""

    name: str
    step: str
    times: tuple[time, ...]
    action: JobAction
    days: Literal["working", "every"] = "working"
    monthly_by: int | None = None
    catch_up: bool = True  # False: after a pause run only the latest missed instant (refreshes)
    every_replica: bool = False
    """True for a job that only refreshes this process's in-memory gauges: each replica runs it
    (no once-across-replicas claim), or every replica but one would export stale figures."""

    def __post_init__(self) -> None:
        if self.step not in SPEC_STEPS:
            raise ValueError(f"job {self.name}: step {self.step!r} is not a step of PROCESSES.md")

    def runs_between(self, calendar: BusinessCalendar, after: datetime, until: datetime) -> list[datetime]:
        """Run instants in ``(after, until]``, in order."""
        zone = calendar.zone
        first, last = after.astimezone(zone).date(), until.astimezone(zone).date()
        runs: list[datetime] = []
        day = first
        while day <= last:
            if self._runs_on(calendar, day):
                for at in self.times:
                    instant = datetime.combine(day, at, tzinfo=zone)
                    if after < instant <= until:
                        runs.append(instant)
            day += timedelta(days=1)
        return sorted(runs)

    def _runs_on(self, calendar: BusinessCalendar, day: date) -> bool:
        if self.monthly_by is not None:
            return day == _last_working_day_on_or_before(calendar, day.replace(day=min(self.monthly_by, 28)))
        return self.days == "every" or calendar.is_working_day(day)


def _last_working_day_on_or_before(calendar: BusinessCalendar, day: date) -> date:
    for back in range(0, 31):
        candidate = day - timedelta(days=back)
        if calendar.is_working_day(candidate):
            return candidate
    return day  # no working day in a month: run on the day itself rather than never


def run_key(instant: datetime, calendar: BusinessCalendar) -> str:
    return instant.astimezone(calendar.zone).isoformat(timespec="minutes")
