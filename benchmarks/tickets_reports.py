"""Tickets' reports (§4, §9) over 100k complaints: each report through the real HTTP app (uvicorn
in its own process, as in production) beside a raw asyncpg baseline of the same period's core
aggregate, in the same run.

Seed: BENCH_REPORT_COMPLAINTS (default 100 000) complaints spread over 2026 (one every ~5 min),
6 channels, 4 priorities, 1% major, 200 merchants, 8 categories, 5 brands (a tenth without
either), 80% closed a day after they came; per complaint its §4.2 and §4.3 clocks (a fifth
breached), and a §4.4 clock for the forum and Weibo ones: about 230k clocks. Inserted with
generate_series, then VACUUM ANALYZE (as autovacuum would have).

Each report is asked ROUNDS times (default 5) for a June 2026 period; medians printed, every
round's figure too. The raw baseline is the period's volume by the report's first dimension
in one hand-written statement (``GROUP BY`` over the same index range): the floor the report's
several statements, its Python shaping and its JSON cost are compared with. Goal: < 1 s each.
ADR 0026 says why these are indexes and not summary tables.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx

from aftersales_chassis import Role, mint_token
from aftersales_devstack.broker import Broker
from aftersales_devstack.services import running_service

from .harness import libpq, scratch_database

COMPLAINTS = int(os.environ.get("BENCH_REPORT_COMPLAINTS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECRET = "bench-secret-bench-secret-bench-secret"
GOAL_SECONDS = 1.0
START = datetime(2026, 1, 1, tzinfo=UTC)

SEED_COMPLAINTS = """
INSERT INTO complaints (id, state, channel, subject, body, sender_name, sender_handle, customer_id, order_id,
                        order_known, merchant_id, priority, priority_rule, major, category, brand, received_at,
                        first_replied_at, merchant_replied_at, closed_at, owner, created_by, created_at, updated_at)
SELECT md5('c' || g)::uuid,
       CASE WHEN g % 5 = 0 THEN 'open' WHEN g % 97 = 1 THEN 'merged' ELSE 'closed' END,
       (ARRAY['phone', 'forum', 'wechat', 'weibo', 'shop_chat', 'email'])[g % 6 + 1],
       '包装破损', '收到的茶叶包装破了。', '王女士', 'h' || g, 'C-' || (g % 50000), 'TB-' || g, true,
       'M-' || lpad((g % 200)::text, 3, '0'),
       (ARRAY['low', 'normal', 'high', 'urgent'])[g % 4 + 1], 'default', g % 100 = 7,
       CASE WHEN g % 10 = 3 THEN NULL ELSE (ARRAY['tea', 'cups', 'pots', 'gifts', 'snacks', 'sets', 'trays',
            'tins'])[g % 8 + 1] END,
       CASE WHEN g % 10 = 4 THEN NULL ELSE (ARRAY['West Lake', 'Dragon Well', 'Yunnan', 'Anxi', 'Wuyi'])[g % 5 + 1]
            END,
       $1::timestamptz + g * interval '5 minutes 15 seconds',
       $1::timestamptz + g * interval '5 minutes 15 seconds' + interval '90 minutes',
       CASE WHEN g % 6 IN (1, 3) AND g % 4 <> 0 THEN $1::timestamptz + g * interval '5 minutes 15 seconds'
            + interval '5 hours' END,
       CASE WHEN g % 5 <> 0 AND g % 97 <> 1 THEN $1::timestamptz + g * interval '5 minutes 15 seconds'
            + interval '1 day' END,
       'agent-' || (g % 40), 'bench', now(), now()
FROM generate_series(1, $2::int) AS g
"""
SEED_CLOCKS = """
INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration, started_at, due_at,
                        warn_at, breached_at, stopped_at, outcome)
SELECT gen_random_uuid(), s.step, 'complaint', c.id::text,
       CASE WHEN c.state = 'open' AND s.step = '§4.4' THEN 'running' ELSE 'stopped' END,
       'wall', s.duration, c.received_at, c.received_at + s.span, c.received_at + s.span - interval '15 minutes',
       CASE WHEN (hashtext(c.id::text || s.step) % 5) = 0 THEN c.received_at + s.span END,
       CASE WHEN c.state = 'open' AND s.step = '§4.4' THEN NULL ELSE c.received_at + s.span / 2 END,
       CASE WHEN c.state = 'open' AND s.step = '§4.4' THEN NULL
            WHEN (hashtext(c.id::text || s.step) % 5) = 0 THEN 'breached' ELSE 'met' END
FROM complaints c
CROSS JOIN (VALUES ('§4.2', '1 h', interval '1 hour'), ('§4.3', '2 h', interval '2 hours'),
                   ('§4.4', '1 wd', interval '1 day')) AS s(step, duration, span)
WHERE s.step <> '§4.4' OR c.channel IN ('forum', 'weibo')
"""

# (label, path, raw baseline, its range)
JUNE = (datetime(2026, 5, 31, 16, tzinfo=UTC), datetime(2026, 6, 30, 16, tzinfo=UTC))
WEEK = (datetime(2026, 6, 7, 16, tzinfo=UTC), datetime(2026, 6, 14, 16, tzinfo=UTC))  # 2026-W24
QUARTER = (datetime(2026, 3, 31, 16, tzinfo=UTC), datetime(2026, 6, 30, 16, tzinfo=UTC))
BY_DAY = (
    "SELECT (received_at AT TIME ZONE 'Asia/Shanghai')::date, count(*) FROM complaints"
    " WHERE received_at >= $1 AND received_at < $2 AND state <> 'merged' GROUP BY 1"
)
BY_CATEGORY = (
    "SELECT category, count(*) FROM complaints WHERE received_at >= $1 AND received_at < $2"
    " AND state <> 'merged' GROUP BY 1"
)
BY_MERCHANT = (
    "SELECT merchant_id, count(*) FROM complaints WHERE received_at >= $1 AND received_at < $2"
    " AND state <> 'merged' GROUP BY 1 ORDER BY 2 DESC"
)
BREACHES = "SELECT step, count(*) FROM sla_clocks WHERE breached_at >= $1 AND breached_at < $2 GROUP BY 1"
REPORTS = (
    ("daily (June, 30 days)", "/reports/complaints/daily?from=2026-06-01&to=2026-06-30", BY_DAY, JUNE),
    ("weekly (2026-W24)", "/reports/complaints/weekly/2026-W24", BY_MERCHANT, WEEK),
    ("monthly analysis (2026-06)", "/reports/complaints/monthly/2026-06", BY_CATEGORY, JUNE),
    ("quarterly roll-up (2026-Q2)", "/reports/complaints/quarterly/2026-Q2", BY_CATEGORY, QUARTER),
    ("anomaly summary (2026-06)", "/reports/complaints/anomalies/2026-06", BREACHES, JUNE),
    ("cooperation (2026-W24)", "/reports/merchant-cooperation/2026-W24", BY_MERCHANT, WEEK),
    ("monthly analysis as CSV", "/reports/complaints/monthly/2026-06?format=csv", BY_CATEGORY, JUNE),
)


async def _seed(url: str) -> tuple[int, int, float]:
    conn = await asyncpg.connect(libpq(url))
    started = time.perf_counter()
    try:
        await conn.execute(SEED_COMPLAINTS, START, COMPLAINTS)
        await conn.execute(SEED_CLOCKS)
        await conn.execute("VACUUM ANALYZE complaints")
        await conn.execute("VACUUM ANALYZE sla_clocks")
        complaints = await conn.fetchval("SELECT count(*) FROM complaints")
        clocks = await conn.fetchval("SELECT count(*) FROM sla_clocks")
    finally:
        await conn.close()
    return complaints, clocks, time.perf_counter() - started


async def _measure(base_url: str, url: str) -> dict[str, tuple[list[float], list[float]]]:
    token = mint_token(SECRET, subject="bench-supervisor", roles=[Role.supervisor])
    headers = {"Authorization": f"Bearer {token}"}
    conn = await asyncpg.connect(libpq(url))
    out: dict[str, tuple[list[float], list[float]]] = {}
    try:
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as http:
            for label, path, raw_sql, (start, end) in REPORTS:
                response = await http.get(path)  # warm-up (and a check that it answers)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
                await conn.fetch(raw_sql, start, end)
                ours, raw = [], []
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    response = await http.get(path)
                    ours.append(time.perf_counter() - started)
                    assert response.status_code == 200
                    started = time.perf_counter()
                    await conn.fetch(raw_sql, start, end)
                    raw.append(time.perf_counter() - started)
                out[label] = (ours, raw)
    finally:
        await conn.close()
    return out


def main() -> None:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if given else Broker()
    bootstrap = given or (broker.bootstrap if broker else "")
    try:
        with scratch_database("tickets") as url:
            complaints, clocks, seeded = asyncio.run(_seed(url))
            extra = {
                "TICKETS_LOG_LEVEL": "WARNING",
                "TICKETS_LOG_JSON": "true",
                "TICKETS_STORAGE_URL": "memory:///",
                "TICKETS_SLA_SCHEDULER_ENABLED": "false",  # nothing but the reports on the database
            }
            with running_service(
                "tickets", database_url=url, kafka_bootstrap=bootstrap, jwt_secret=SECRET, extra_env=extra
            ) as service:
                results = asyncio.run(_measure(service.url, url))
    finally:
        if broker is not None:
            broker.stop()
    out = sys.stdout
    out.write(
        f"\nTickets reports over {complaints:,} complaints and {clocks:,} clocks (seeded in {seeded:.1f} s); "
        f"HTTP through the real app, median of {ROUNDS} rounds\n"
    )
    out.write("raw = the period's core aggregate in one hand-written statement (asyncpg), same run\n")
    goal = f"goal < {GOAL_SECONDS * 1000:.0f} ms"
    out.write(f"{'report':<30} {'app (ms)':>9} {'raw (ms)':>9} {'ratio':>6}  {goal:<15} rounds (ms)\n")
    for label, (ours, raw) in results.items():
        app_ms, raw_ms = statistics.median(ours) * 1000, statistics.median(raw) * 1000
        verdict = "ok" if max(ours) < GOAL_SECONDS else "OVER"
        rounds = " ".join(f"{v * 1000:.0f}" for v in ours)
        out.write(f"{label:<30} {app_ms:>9.1f} {raw_ms:>9.1f} {app_ms / raw_ms:>6.1f}  {verdict:<15} {rounds}\n")
