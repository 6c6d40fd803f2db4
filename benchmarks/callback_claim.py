"""Callback queue (§7.2): next-task claims by 50 concurrent agents on a queue of 100k open
tasks, through the service's use case (``CallbackService.claim``: calling-window check,
one claim statement, the task back) beside a raw asyncpg ``FOR UPDATE SKIP LOCKED``
select-and-update on the same table. Goal: the use case at >= 70% of raw, p99 < 20 ms.

Each agent claims, then closes what it claimed (untimed, the same for both paths), as an
agent records an outcome before the next claim: the leases held at once stay about one
per agent, as on the floor. ``BENCH_CALLBACK_TASKS`` and ``BENCH_CALLBACK_CLAIMS`` shrink
the run for a quick check.

Like for like: both sides run AGENTS claimers on AGENTS connections; the service's engine is
given the raw pool's size (``db_pool_size``, 10 by default) and no pre-ping
(``db_pool_pre_ping=false``: SQLAlchemy's asyncpg ping is a transaction and a statement per
checkout), so each claim is BEGIN, one statement, COMMIT on both. A third line runs the raw
claim answering the whole task row, as the API must: the row's width is part of the gap.
The rounds alternate the paths, and each path's figure is its median round.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from aftersales_calendar import default_calendar
from aftersales_chassis import ManualClock, Principal, Role
from aftersales_chassis.db import Database
from aftersales_sla import SlaClocks
from callcenter_service.callbacks.service import CallbackService
from callcenter_service.settings import CallcenterSettings
from callcenter_service.sla import POLICIES

from .harness import libpq, scratch_database

TASKS = int(os.environ.get("BENCH_CALLBACK_TASKS", "100000"))
CLAIMS = int(os.environ.get("BENCH_CALLBACK_CLAIMS", "3500"))  # per path and round, across all agents
AGENTS = int(os.environ.get("BENCH_CALLBACK_AGENTS", "50"))
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # Tuesday 11:00 in Shanghai: working time
FILL = """
INSERT INTO callback_tasks (id, kind, priority_class, priority, source, source_step, state, phone, customer_name,
                            note, requested_at, not_before, due_at, due_rule, attempts, unanswered,
                            created_at, updated_at)
SELECT gen_random_uuid(), 'outreach', (ARRAY['highest','high','medium','low'])[1 + g % 4], 10 * (1 + g % 4),
       'bench:' || $2::text || ':' || g, '§7.2', 'open', '139' || lpad(g::text, 8, '0'), '', '',
       $1::timestamptz - (g % 600 || ' minutes')::interval, $1::timestamptz - interval '1 hour',
       $1::timestamptz + (g % 5000 || ' minutes')::interval, 'bench', 0, 0, $1::timestamptz, $1::timestamptz
FROM generate_series(1, $3::int) AS g
"""
RAW_CLAIM = """
UPDATE callback_tasks SET lease_holder = $1, lease_token = nextval('callback_lease_tokens'),
       lease_expires_at = $2::timestamptz + interval '10 minutes', updated_at = $2::timestamptz
WHERE id = (SELECT id FROM callback_tasks
            WHERE state = 'open' AND not_before <= $2::timestamptz
              AND (lease_expires_at IS NULL OR lease_expires_at <= $2::timestamptz)
            ORDER BY priority, due_at, requested_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id
"""
# The same claim answering the whole task, as the API does (fetchval takes its first column, the id).
RAW_CLAIM_ROW = RAW_CLAIM.replace("RETURNING id", "RETURNING *")
CLOSE = "UPDATE callback_tasks SET state = 'withdrawn', lease_holder = NULL WHERE id = $1"


async def _run(claim: Callable[[str], Awaitable[object | None]], close: asyncpg.Pool) -> tuple[float, list[float]]:
    """Claims/s and each claim's latency (s), AGENTS claiming at once until CLAIMS are made."""
    remaining = [CLAIMS]
    latencies: list[float] = []

    async def agent(name: str) -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            started = time.perf_counter()
            task_id = await claim(name)
            latencies.append(time.perf_counter() - started)
            if task_id is None:
                return
            await close.execute(CLOSE, task_id)

    started = time.perf_counter()
    await asyncio.gather(*(agent(f"agent-{n}") for n in range(AGENTS)))
    return len(latencies) / (time.perf_counter() - started), latencies


ROUNDS = 3  # raw and app back to back, three times: this machine's speed drifts between runs


async def _measure(url: str) -> dict[str, tuple[list[float], list[float]]]:
    """Per path: the claims/s of each round and every claim's latency."""
    setup = await asyncpg.connect(libpq(url))
    try:
        await setup.execute(FILL, NOW, "q", TASKS)
        await setup.execute("ANALYZE callback_tasks")
    finally:
        await setup.close()
    closer = await asyncpg.create_pool(libpq(url), min_size=2, max_size=4)
    clock, calendar, settings = ManualClock(NOW), default_calendar(), CallcenterSettings.model_construct()
    results: dict[str, tuple[list[float], list[float]]] = {"raw": ([], []), "raw_row": ([], []), "app": ([], [])}

    async def raw_row_round() -> tuple[float, list[float]]:
        return await raw_round(RAW_CLAIM_ROW)

    async def raw_round(statement: str = RAW_CLAIM) -> tuple[float, list[float]]:
        pool = await asyncpg.create_pool(libpq(url), min_size=AGENTS, max_size=AGENTS)

        async def raw(agent: str) -> object | None:
            async with pool.acquire() as conn, conn.transaction():
                return await conn.fetchval(statement, agent, NOW)

        try:
            return await _run(raw, closer)
        finally:
            await pool.close()

    async def app_round() -> tuple[float, list[float]]:
        # Like for like: AGENTS claimers on AGENTS connections, as the raw side. The service's
        # engine gets the raw side's pool (its db_pool_size, 10 by default, set to AGENTS) and
        # no pre-ping (db_pool_pre_ping=false): a claim is BEGIN, the claim, COMMIT on both.
        database = Database.connect(url, pool_size=AGENTS, pre_ping=False)

        async def app(agent: str) -> object | None:
            principal = Principal(subject=agent, roles=frozenset({Role.agent}))
            async with database.sessionmaker() as session, session.begin():
                sla = SlaClocks(session, calendar, POLICIES, NOW)
                claimed = await CallbackService(session, clock, sla, settings).claim(principal)
                return None if claimed is None else claimed.task.id

        try:
            await asyncio.gather(*(_warm(database) for _ in range(AGENTS)))  # as the raw pool's min_size
            return await _run(app, closer)
        finally:
            await database.dispose()

    try:
        for _ in range(ROUNDS):
            for key, measure in (("raw", raw_round), ("raw_row", raw_row_round), ("app", app_round)):
                rate, latencies = await measure()
                results[key][0].append(rate)
                results[key][1].extend(latencies)
    finally:
        await closer.close()
    return results


async def _warm(database: Database) -> None:
    async with database.engine.connect() as conn:
        await asyncio.sleep(0.05)  # held together, so the pool opens AGENTS connections
        await conn.close()


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] if len(values) > 1 else values[0]


def main() -> None:
    with scratch_database("callcenter") as url:
        results = asyncio.run(_measure(url))
    out = sys.stdout
    out.write(f"\nCallback queue: next-task claims, {AGENTS} concurrent agents on {AGENTS} pooled connections on "
              f"both sides (service: db_pool_size={AGENTS}, db_pool_pre_ping=false), {TASKS:,} open tasks, "
              f"{ROUNDS} rounds x {CLAIMS:,} claims per path, median round "
              "(goal: >= 70% of raw, p99 < 20 ms)\n")  # fmt: skip
    out.write(f"{'path':<62} {'claims/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'÷ raw':>7}\n")
    raw_rate = statistics.median(results["raw"][0])
    for name, key in (("raw asyncpg FOR UPDATE SKIP LOCKED select-and-update", "raw"),
                      ("  the same, answering the whole task row (as the API does)", "raw_row"),
                      ("CallbackService.claim (window check, one statement, the task back)", "app")):  # fmt: skip
        rates, latencies = results[key]
        rate = statistics.median(rates)
        out.write(
            f"{name:<62} {rate:>9,.0f} {_quantile(latencies, 0.5) * 1000:>8.2f} "
            f"{_quantile(latencies, 0.99) * 1000:>8.2f} {rate / raw_rate:>7.0%}\n"
        )


if __name__ == "__main__":
    main()
