"""Fixed-time jobs follow the business calendar and run once across replicas."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database
from aftersales_sla import FixedTimeJob, JobContext, SlaScheduler

SHANGHAI = ZoneInfo("Asia/Shanghai")
SWEEPS = (time(10), time(13), time(15), time(17))


async def _noop(_: JobContext) -> None:
    return None


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def test_daily_log_skips_weekends_and_holidays(calendar: BusinessCalendar) -> None:
    job = FixedTimeJob("parcel-log", "M", (time(9),), _noop)
    # 2026-09-28 (Mon) … 2026-10-11 (Sun): National Day golden week, make-up days around it.
    runs = job.runs_between(calendar, _local(2026, 9, 27, 23), _local(2026, 10, 11, 23))
    run_days = [r.astimezone(SHANGHAI).date() for r in runs]
    assert all(calendar.is_working_day(d) for d in run_days)
    assert date(2026, 10, 1) not in run_days  # National Day
    assert date(2026, 10, 3) not in run_days  # a Saturday inside the holiday
    expected = [d for d in (date(2026, 9, 27) + timedelta(days=i) for i in range(1, 15)) if calendar.is_working_day(d)]
    assert run_days == expected


def test_sweeps_run_four_times_on_a_working_day(calendar: BusinessCalendar) -> None:
    job = FixedTimeJob("missed-call-sweep", "§7.1", SWEEPS, _noop)
    runs = job.runs_between(calendar, _local(2026, 11, 24, 0), _local(2026, 11, 24, 23, 59))
    assert [r.astimezone(SHANGHAI).hour for r in runs] == [10, 13, 15, 17]
    assert job.runs_between(calendar, _local(2026, 11, 28, 0), _local(2026, 11, 29, 23)) == []  # weekend


def test_monthly_by_the_10th_moves_back_to_a_working_day(calendar: BusinessCalendar) -> None:
    job = FixedTimeJob("red-black-list", "§4", (time(9),), _noop, monthly_by=10)
    runs = job.runs_between(calendar, _local(2026, 1, 1, 0), _local(2026, 12, 31, 23))
    assert len(runs) == 12
    for run in runs:
        day = run.astimezone(SHANGHAI).date()
        assert day.day <= 10
        assert calendar.is_working_day(day)
        later = [day + timedelta(days=i) for i in range(1, 11 - day.day)]
        assert not any(calendar.is_working_day(d) for d in later)


def _replicas(
    database: Database, calendar: BusinessCalendar, clock: ManualClock, job: FixedTimeJob
) -> list[SlaScheduler]:
    async def current(_: AsyncSession) -> BusinessCalendar:
        return calendar

    return [
        SlaScheduler(
            service="tickets",
            sessionmaker=database.sessionmaker,
            calendar=current,
            clock=clock,
            jobs=[job],
            job_lookback=timedelta(hours=1),
        )
        for _ in range(3)
    ]


async def test_a_run_happens_once_across_racing_replicas(database: Database, calendar: BusinessCalendar) -> None:
    ran: list[datetime] = []

    async def record(context: JobContext) -> None:
        ran.append(context.scheduled_for)

    job = FixedTimeJob(f"race-{id(ran)}", "M", (time(9),), record)
    clock = ManualClock(datetime(2026, 11, 24, 0, 30, tzinfo=UTC))  # 08:30 local
    replicas = _replicas(database, calendar, clock, job)
    await asyncio.gather(*(r.tick() for r in replicas))
    assert ran == []
    clock.advance(timedelta(minutes=31))  # 09:01
    results = await asyncio.gather(*(r.tick() for r in replicas))
    assert sum(r.jobs_run for r in results) == 1
    assert ran == [datetime(2026, 11, 24, 9, tzinfo=SHANGHAI)]
    clock.advance(timedelta(hours=1))
    await asyncio.gather(*(r.tick() for r in replicas))
    assert len(ran) == 1


async def test_a_gauge_refresh_runs_on_every_replica_once_per_instant(
    database: Database, calendar: BusinessCalendar
) -> None:
    """Each replica exports its own gauges: a refresh claimed by one would leave the others stale."""
    ran: list[datetime] = []

    async def record(context: JobContext) -> None:
        ran.append(context.scheduled_for)

    job = FixedTimeJob(f"gauges-{id(ran)}", "T4", (time(9),), record, days="every", every_replica=True)
    clock = ManualClock(datetime(2026, 11, 24, 1, 1, tzinfo=UTC))  # 09:01 local
    replicas = _replicas(database, calendar, clock, job)
    results = await asyncio.gather(*(r.tick() for r in replicas))
    assert [r.jobs_run for r in results] == [1, 1, 1]
    assert ran == [datetime(2026, 11, 24, 9, tzinfo=SHANGHAI)] * 3
    await asyncio.gather(*(r.tick() for r in replicas))  # the same instant is not run again
    assert len(ran) == 3


async def test_a_refresh_job_runs_only_its_latest_missed_instant(
    database: Database, calendar: BusinessCalendar
) -> None:
    ran: list[datetime] = []

    async def record(context: JobContext) -> None:
        ran.append(context.scheduled_for)

    hourly = tuple(time(hour) for hour in range(24))
    job = FixedTimeJob(f"refresh-{id(ran)}", "T4", hourly, record, days="every", catch_up=False)
    clock = ManualClock(datetime(2026, 11, 24, 0, 30, tzinfo=UTC))

    async def current(_: AsyncSession) -> BusinessCalendar:
        return calendar

    scheduler = SlaScheduler(
        service="tickets", sessionmaker=database.sessionmaker, calendar=current, clock=clock, jobs=[job]
    )
    await scheduler.tick()  # a day of missed hours behind it
    assert ran == [datetime(2026, 11, 24, 8, tzinfo=SHANGHAI)]


def test_a_job_or_policy_names_a_step_of_the_spec() -> None:
    import pytest

    from aftersales_calendar import WallClock
    from aftersales_sla import FixedTimeJob, PolicyBook, SlaPolicy

    async def nothing(_: object) -> None:
        return None

    with pytest.raises(ValueError, match=r"'T9' is not a step of PROCESSES\.md"):
        FixedTimeJob(name="x", step="T9", times=(), action=nothing)
    hour = WallClock(timedelta(hours=1))
    with pytest.raises(ValueError, match=r"'C9' is not a step of PROCESSES\.md"):
        PolicyBook("tickets", [SlaPolicy("C9", "x", hour, hour, role="agent", starts="a", stops="b")])
