"""Clocks warn and breach by events exactly once, on a controllable clock, with replicas racing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database
from aftersales_events import outbox
from aftersales_sla import SlaClocks, SlaScheduler, sla_clocks

from .kit import POLICIES, TUESDAY_10AM


def _scheduler(database: Database, calendar: BusinessCalendar, clock: ManualClock, **kw: object) -> SlaScheduler:
    async def current(_: AsyncSession) -> BusinessCalendar:
        return calendar

    return SlaScheduler(service="tickets", sessionmaker=database.sessionmaker, calendar=current, clock=clock, **kw)  # type: ignore[arg-type]


async def _start(
    database: Database, calendar: BusinessCalendar, clock: ManualClock, step: str, n: int = 1
) -> list[str]:
    ids = [f"agg-{uuid.uuid4().hex[:10]}" for _ in range(n)]
    async with database.sessionmaker() as session, session.begin():
        clocks = SlaClocks(session, calendar, POLICIES, clock.now())
        for aggregate_id in ids:
            await clocks.start(step, "test", aggregate_id)
    return ids


async def _events(database: Database, kind: str, ids: list[str]) -> int:
    async with database.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).where(outbox.c.event_type.like(f"%.{kind}.v1"), outbox.c.message_key.in_(ids))
        )
    return int(count or 0)


async def _clock_row(database: Database, aggregate_id: str):  # type: ignore[no-untyped-def]
    async with database.sessionmaker() as session:
        return (await session.execute(select(sla_clocks).where(sla_clocks.c.aggregate_id == aggregate_id))).one()


async def test_wall_clock_step_warns_then_breaches_once(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    [agg] = await _start(database, calendar, clock, "C1")
    row = await _clock_row(database, agg)
    assert row.due_at == TUESDAY_10AM + timedelta(hours=1)
    assert row.warn_at == TUESDAY_10AM + timedelta(minutes=45)
    scheduler = _scheduler(database, calendar, clock)

    clock.advance(timedelta(minutes=44))
    await scheduler.tick()
    assert await _events(database, "SlaWarning", [agg]) == 0
    clock.advance(timedelta(minutes=1))
    await scheduler.tick()
    await scheduler.tick()
    assert await _events(database, "SlaWarning", [agg]) == 1
    assert await _events(database, "SlaBreached", [agg]) == 0
    clock.advance(timedelta(minutes=15))
    await scheduler.tick()
    await scheduler.tick()
    assert await _events(database, "SlaBreached", [agg]) == 1


async def test_working_time_step_skips_the_night(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    clock.set(TUESDAY_10AM + timedelta(hours=7))  # 17:00 local: one working hour left today
    [agg] = await _start(database, calendar, clock, "C2")
    row = await _clock_row(database, agg)
    assert row.due_at == TUESDAY_10AM + timedelta(days=1)  # Wednesday 10:00 local
    assert row.kind == "working"
    assert row.duration == "2 working h"


async def test_racing_schedulers_fire_each_clock_once(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    ids = await _start(database, calendar, clock, "C1", n=120)
    clock.advance(timedelta(hours=2))
    first, second = (
        _scheduler(database, calendar, clock, batch_size=7),
        _scheduler(database, calendar, clock, batch_size=7),
    )
    results = await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    assert sum(r.breached for r in results) == 120
    assert sum(r.warned for r in results) == 120
    assert await _events(database, "SlaBreached", ids) == 120
    assert await _events(database, "SlaWarning", ids) == 120


async def test_stop_in_time_is_met_and_late_stop_announces_the_breach_once(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    on_time, late = await _start(database, calendar, clock, "C1", n=2)
    clock.advance(timedelta(minutes=30))
    async with database.sessionmaker() as session, session.begin():
        stopped = await SlaClocks(session, calendar, POLICIES, clock.now()).stop("C1", on_time, by="alice")
    assert stopped is not None
    assert stopped.outcome == "met"
    clock.advance(timedelta(hours=1))  # past due; the scheduler has not ticked yet
    async with database.sessionmaker() as session, session.begin():
        stopped = await SlaClocks(session, calendar, POLICIES, clock.now()).stop("C1", late, by="bob")
    assert stopped is not None
    assert stopped.outcome == "breached"
    await _scheduler(database, calendar, clock).tick()
    assert await _events(database, "SlaBreached", [on_time, late]) == 1
    assert (await _clock_row(database, late)).stopped_by == "bob"


async def test_paused_time_does_not_count(database: Database, calendar: BusinessCalendar, clock: ManualClock) -> None:
    [agg] = await _start(database, calendar, clock, "C1")
    clock.advance(timedelta(minutes=20))
    async with database.sessionmaker() as session, session.begin():
        await SlaClocks(session, calendar, POLICIES, clock.now()).pause("C1", agg)
    clock.advance(timedelta(hours=5))  # waiting on the customer
    scheduler = _scheduler(database, calendar, clock)
    await scheduler.tick()
    assert await _events(database, "SlaBreached", [agg]) == 0
    async with database.sessionmaker() as session, session.begin():
        await SlaClocks(session, calendar, POLICIES, clock.now()).resume("C1", agg)
    row = await _clock_row(database, agg)
    assert row.due_at == clock.now() + timedelta(minutes=40)
    clock.advance(timedelta(minutes=41))
    await scheduler.tick()
    assert await _events(database, "SlaBreached", [agg]) == 1


async def test_a_second_start_of_an_open_step_is_a_no_op(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    [agg] = await _start(database, calendar, clock, "C1")
    async with database.sessionmaker() as session, session.begin():
        again = await SlaClocks(session, calendar, POLICIES, clock.now()).start("C1", "test", agg)
    assert again == (await _clock_row(database, agg)).id


async def test_a_clock_due_at_its_aggregates_own_time_warns_and_breaches_then(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    """One step, due times set per aggregate (a queue's task kinds): the policy's warning lead
    applies before that due time, and the clock shows the aggregate's rule, not the policy's."""
    due = TUESDAY_10AM + timedelta(hours=3)
    agg = f"agg-{uuid.uuid4().hex[:10]}"
    async with database.sessionmaker() as session, session.begin():
        await SlaClocks(session, calendar, POLICIES, clock.now()).start(
            "C1", "kind-a", agg, due=due, rule="kind a: 3 h"
        )
    row = await _clock_row(database, agg)
    assert (row.due_at, row.warn_at, row.duration) == (due, due - timedelta(minutes=15), "kind a: 3 h")
    scheduler = _scheduler(database, calendar, clock)
    clock.advance(timedelta(hours=1, minutes=5))  # past the policy's own 1 h: nothing yet
    await scheduler.tick()
    assert await _events(database, "SlaBreached", [agg]) == 0
    clock.set(due)
    await scheduler.tick()
    await scheduler.tick()
    assert (await _events(database, "SlaWarning", [agg]), await _events(database, "SlaBreached", [agg])) == (1, 1)


async def test_start_steps_writes_what_start_writes_for_each_step_in_one_statement(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    one, many = f"agg-{uuid.uuid4().hex[:10]}", f"agg-{uuid.uuid4().hex[:10]}"
    async with database.sessionmaker() as session, session.begin():
        clocks = SlaClocks(session, calendar, POLICIES, clock.now())
        for step in ("C1", "C2"):
            await clocks.start(step, "test", one)
        await clocks.start_steps(["C1", "C2"], "test", many)
    columns = [c for c in sla_clocks.c if c.name not in ("id", "aggregate_id", "created_at")]
    async with database.sessionmaker() as session:
        rows = {
            agg: [
                tuple(r)
                for r in await session.execute(
                    select(*columns).where(sla_clocks.c.aggregate_id == agg).order_by(sla_clocks.c.step)
                )
            ]
            for agg in (one, many)
        }
    assert len(rows[many]) == 2
    assert rows[many] == rows[one]


@pytest.mark.parametrize("step", ["C1", "C2"])
async def test_start_many_from_each_aggregates_own_instant_writes_what_start_at_writes(
    database: Database, calendar: BusinessCalendar, clock: ManualClock, step: str
) -> None:
    """One statement for a page of aggregates, each clock from its own instant (a review's own
    time): row for row what ``start(..., at=)`` writes; an aggregate whose clock is open keeps it."""
    starts = [clock.now() - timedelta(hours=h) for h in (0, 3, 30)]  # C2: one from Sunday, before hours
    singles = [f"agg-{uuid.uuid4().hex[:10]}" for _ in starts]
    pages = [f"agg-{uuid.uuid4().hex[:10]}" for _ in starts]
    [kept] = await _start(database, calendar, clock, step)
    before = await _clock_row(database, kept)
    async with database.sessionmaker() as session, session.begin():
        clocks = SlaClocks(session, calendar, POLICIES, clock.now())
        for aggregate_id, at in zip(singles, starts, strict=True):
            await clocks.start(step, "test", aggregate_id, at=at)
        await clocks.start_many(step, "test", [*pages, kept], at=[*starts, clock.now() - timedelta(hours=1)])
        with pytest.raises(ValueError, match="start instants"):
            await clocks.start_many(step, "test", pages, at=starts[:1])
    columns = [c for c in sla_clocks.c if c.name not in ("id", "aggregate_id", "created_at")]
    async with database.sessionmaker() as session:

        async def row(aggregate_id: str) -> tuple[object, ...]:
            found = await session.execute(select(*columns).where(sla_clocks.c.aggregate_id == aggregate_id))
            return tuple(found.one())

        assert [await row(a) for a in pages] == [await row(a) for a in singles]
    assert len({(await _clock_row(database, a)).due_at for a in pages}) == 3
    after = await _clock_row(database, kept)
    assert (after.id, after.started_at) == (before.id, before.started_at)


async def test_start_steps_keeps_a_clock_already_open_and_starts_the_others(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    [agg] = await _start(database, calendar, clock, "C1")
    first = await _clock_row(database, agg)
    clock.advance(timedelta(minutes=5))
    async with database.sessionmaker() as session, session.begin():
        await SlaClocks(session, calendar, POLICIES, clock.now()).start_steps(["C1", "C2"], "test", agg)
    async with database.sessionmaker() as session:
        rows = {r.step: r for r in await session.execute(select(sla_clocks).where(sla_clocks.c.aggregate_id == agg))}
    assert rows["C1"].id == first.id
    assert rows["C1"].started_at == first.started_at
    assert rows["C2"].started_at == clock.now()
    assert rows["C2"].state == "running"


async def test_start_each_writes_what_start_writes_for_each_aggregate_and_keeps_an_open_clock(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    [kept] = await _start(database, calendar, clock, "C1")
    before = await _clock_row(database, kept)
    clock.advance(timedelta(minutes=5))
    one, many = f"agg-{uuid.uuid4().hex[:10]}", f"agg-{uuid.uuid4().hex[:10]}"
    async with database.sessionmaker() as session, session.begin():
        clocks = SlaClocks(session, calendar, POLICIES, clock.now())
        for step in ("C1", "C2"):
            await clocks.start(step, "test", one)
        await clocks.start_each([("C1", "test", many), ("C2", "test", many), ("C1", "test", kept)])
    columns = [c for c in sla_clocks.c if c.name not in ("id", "aggregate_id", "created_at")]
    async with database.sessionmaker() as session:
        rows = {
            agg: [
                tuple(r)
                for r in await session.execute(
                    select(*columns).where(sla_clocks.c.aggregate_id == agg).order_by(sla_clocks.c.step)
                )
            ]
            for agg in (one, many)
        }
    assert len(rows[many]) == 2
    assert rows[many] == rows[one]
    after = await _clock_row(database, kept)  # still one clock: the open one kept its start
    assert (after.id, after.started_at) == (before.id, before.started_at)
