"""SLA scheduler: tick cost at 10k, 100k and 1M open clocks, and how late a due clock fires.

The claim runs through partial indexes, so a tick costs the same whatever the number of
open clocks; the baseline is the same claim issued with raw asyncpg.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import asyncpg  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar, default_calendar
from aftersales_chassis import ManualClock, SystemClock
from aftersales_chassis.db import Database
from aftersales_sla import SlaScheduler

from .harness import libpq, scratch_database

SIZES = (10_000, 100_000, 1_000_000)
DUE_PER_TICK = 100
ROUNDS = 15
FILL = """
INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration,
                        started_at, due_at, warn_at)
SELECT gen_random_uuid(), 'T1A3', 'bench', 'far-' || g, 'running', 'wall', '24 h',
       $1::timestamptz, $1::timestamptz + interval '30 days' + (g || ' seconds')::interval,
       $1::timestamptz + interval '29 days'
FROM generate_series($2::bigint, $3::bigint) AS g
"""
DUE = """
INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration,
                        started_at, due_at, warn_at)
SELECT gen_random_uuid(), 'T1A3', 'bench', 'due-' || $2::text || '-' || g, 'running', 'wall', '24 h',
       $1::timestamptz - interval '1 day', $1::timestamptz - interval '1 second',
       $1::timestamptz - interval '2 seconds'
FROM generate_series(1, $3::int) AS g
"""
# The baseline does the same database work by hand: claim due warnings and breaches and
# write one outbox row (a ready-made JSON envelope) per fired clock.
RAW_WARN = """
WITH due AS (SELECT id FROM sla_clocks
             WHERE state = 'running' AND warned_at IS NULL AND breached_at IS NULL AND warn_at <= $1::timestamptz
             ORDER BY warn_at LIMIT 500 FOR UPDATE SKIP LOCKED)
UPDATE sla_clocks c SET warned_at = $1::timestamptz FROM due WHERE c.id = due.id RETURNING c.id, c.aggregate_id
"""
RAW_BREACH = """
WITH due AS (SELECT id FROM sla_clocks
             WHERE state = 'running' AND breached_at IS NULL AND due_at <= $1::timestamptz
             ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED)
UPDATE sla_clocks c SET breached_at = $1::timestamptz FROM due WHERE c.id = due.id RETURNING c.id, c.aggregate_id
"""
RAW_OUTBOX = """
INSERT INTO outbox (event_id, topic, message_key, event_type, envelope, source, correlation_id)
VALUES (gen_random_uuid(), 'tickets.events', $1, $2, $3::json, '/aftersales/tickets', $1)
"""


async def _raw_tick(raw: asyncpg.Connection, now: datetime) -> int:
    fired = 0
    async with raw.transaction():
        for claim, kind in ((RAW_WARN, "SlaWarning"), (RAW_BREACH, "SlaBreached")):
            rows = await raw.fetch(claim, now)
            envelope = json.dumps({"specversion": "1.0", "type": f"aftersales.tickets.{kind}.v1"})
            await raw.executemany(RAW_OUTBOX, [(r["aggregate_id"], kind, envelope) for r in rows])
            fired += len(rows)
    return fired


async def _fixed(calendar: BusinessCalendar) -> BusinessCalendar:
    return calendar


async def _measure(url: str) -> list[tuple[int, float, float, float]]:
    base = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    calendar = default_calendar()
    raw = await asyncpg.connect(libpq(url))
    db = Database.connect(url, pool_size=4)
    clock = ManualClock(base)

    async def current(_: AsyncSession) -> BusinessCalendar:
        return calendar

    scheduler = SlaScheduler(service="tickets", sessionmaker=db.sessionmaker, calendar=current, clock=clock)
    rows: list[tuple[int, float, float, float]] = []
    filled = 0
    try:
        for size in SIZES:
            await raw.execute(FILL, base, filled + 1, size)
            filled = size
            await raw.execute("VACUUM ANALYZE sla_clocks")
            ours, baseline, idle = [], [], []
            for round_no in range(ROUNDS):
                await raw.execute(DUE, clock.now(), f"{size}-{round_no}-a", DUE_PER_TICK)
                started = time.perf_counter()
                result = await scheduler.tick()
                ours.append(time.perf_counter() - started)
                assert result.breached == DUE_PER_TICK, result
                await raw.execute(DUE, clock.now(), f"{size}-{round_no}-b", DUE_PER_TICK)
                started = time.perf_counter()
                assert await _raw_tick(raw, clock.now()) == 2 * DUE_PER_TICK
                baseline.append(time.perf_counter() - started)
                started = time.perf_counter()
                await scheduler.tick()
                idle.append(time.perf_counter() - started)
                clock.advance(timedelta(seconds=1))
            rows.append((size, statistics.median(ours), statistics.median(baseline), statistics.median(idle)))
    finally:
        await raw.close()
        await db.dispose()
    return rows


async def _lateness(url: str, samples: int = 10) -> list[float]:
    """Real time: clocks due over the next seconds, a running scheduler; how late each fires."""
    db = Database.connect(url, pool_size=4)
    raw = await asyncpg.connect(libpq(url))
    calendar = default_calendar()

    async def current(_: AsyncSession) -> BusinessCalendar:
        return calendar

    scheduler = SlaScheduler(
        service="tickets", sessionmaker=db.sessionmaker, calendar=current, clock=SystemClock(), interval=0.5
    )
    await raw.execute("UPDATE sla_clocks SET state = 'stopped' WHERE aggregate_id LIKE 'due-%'")
    start = datetime.now(UTC) + timedelta(seconds=1)
    for i in range(samples):
        due = start + timedelta(milliseconds=370 * i)
        await raw.execute(
            "INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration, started_at,"
            " due_at, warn_at) VALUES (gen_random_uuid(), 'T1A3', 'bench', $1, 'running', 'wall', '24 h',"
            " now(), $2, $2)",
            f"late-{i}",
            due,
        )
    scheduler.start()
    try:
        deadline = time.monotonic() + samples * 0.37 + 5
        while time.monotonic() < deadline:
            fired = await raw.fetchval(
                "SELECT count(*) FROM sla_clocks WHERE aggregate_id LIKE 'late-%' AND breached_at IS NOT NULL"
            )
            if fired == samples:
                break
            await asyncio.sleep(0.1)
    finally:
        await scheduler.stop()
    late = await raw.fetch(
        "SELECT extract(epoch FROM breached_at - due_at) AS s FROM sla_clocks WHERE aggregate_id LIKE 'late-%'"
    )
    await raw.close()
    await db.dispose()
    return sorted(float(r["s"]) for r in late)


def main() -> None:
    with scratch_database("tickets") as url:
        rows = asyncio.run(_measure(url))
        lateness = asyncio.run(_lateness(url))
    out = sys.stdout
    out.write(
        f"\nSLA scheduler: one tick warning and breaching {DUE_PER_TICK} due clocks (median of {ROUNDS} rounds)\n"
    )
    out.write("raw = the same claims and outbox rows by hand with asyncpg; idle = a tick with nothing due\n")
    out.write(f"{'open clocks':>12} {'tick (ms)':>10} {'raw (ms)':>9} {'ratio':>7} {'idle tick (ms)':>15}\n")
    for size, ours, baseline, idle in rows:
        out.write(
            f"{size:>12,} {ours * 1000:>10.2f} {baseline * 1000:>9.2f} {ours / baseline:>7.2f} {idle * 1000:>15.2f}\n"
        )
    growth = rows[-1][1] / rows[0][1]
    out.write(f"tick cost at {SIZES[-1]:,} ÷ at {SIZES[0]:,} open clocks: {growth:.2f}x\n")
    out.write(
        f"real-time firing delay after due (tick every 0.5 s), {len(lateness)} clocks: "
        f"median {statistics.median(lateness) * 1000:.0f} ms, max {max(lateness) * 1000:.0f} ms\n"
    )
