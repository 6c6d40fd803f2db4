"""The event pipeline end to end (issue 23, scenario 12): from the HTTP request that records
an event to its effect committed in the consuming service, beside raw aiokafka
produce→consume on the same broker in the same run.

The pipeline: ``POST /order-facts`` (kind ``placed``) to returns, as a shop does; returns
commits the order and its ``OrderPlaced`` outbox row, its relay publishes it, finance's
consumer applies it (the settlement read model) and commits. Both services run as deployed
(uvicorn processes, relay and consumers on) against a Tansu of the bench's own.

When the effect committed is seen exactly: the bench adds, to its scratch finance database
only, a trigger on ``processed_events`` that NOTIFYs the event id, and PostgreSQL delivers a
notification when (and only if) its transaction commits. The event id is mapped back to its
order through returns' outbox afterwards.

Figures:
- **at a fixed rate** (RATE events/s for SECONDS, open loop: request k is due at
  start + k/RATE whatever the earlier answers took, and is sent then by one of CONCURRENCY
  clients, or as soon as one is free): latency from the instant it was due → effect
  committed, p50/p99 (goal p99 < 500 ms), and the rate achieved;
- **maximum throughput**, ROUNDS rounds: FLOOD events sent by CONCURRENCY clients as fast as
  they are answered, events/s from the first request to the last effect committed; each
  round beside raw aiokafka (the relay's producer settings, one consumer group) moving
  FLOOD messages of the same size through a topic of the same broker, timed the same way
  (goal: >= 60% of raw).

``BENCH_PIPELINE_SECONDS`` (default 300), ``BENCH_PIPELINE_RATE`` (200),
``BENCH_PIPELINE_FLOOD`` (5000) and ``BENCH_PIPELINE_ROUNDS`` (3) shorten a run.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx
from aiokafka import AIOKafkaConsumer

from aftersales_chassis import Role, mint_token
from aftersales_devstack.broker import Broker
from aftersales_devstack.services import running_service
from aftersales_events.kafka import ensure_topics, make_producer

from .harness import generator_gc_paused, http_clients, libpq, scratch_database

RATE = float(os.environ.get("BENCH_PIPELINE_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_PIPELINE_SECONDS", "300"))
FLOOD = int(os.environ.get("BENCH_PIPELINE_FLOOD", "5000"))
ROUNDS = int(os.environ.get("BENCH_PIPELINE_ROUNDS", "3"))
CONCURRENCY = 32
PARTITIONS = 3
SECRET = "bench-secret-bench-secret-bench-secret"
CHANNEL = "bench_applied"

NOTIFY_ON_APPLY = f"""
CREATE OR REPLACE FUNCTION bench_notify_applied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{CHANNEL}', NEW.event_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER bench_notify_applied AFTER INSERT ON processed_events
  FOR EACH ROW EXECUTE FUNCTION bench_notify_applied();
"""


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def _placed(order_id: str) -> dict[str, object]:
    return {
        "kind": "placed", "shop_event_id": f"{order_id}-placed", "order_id": order_id, "customer_id": "C-BENCH",
        "occurred_at": "2026-11-20T10:00:00+08:00", "merchant_id": "M-001",
        "lines": [{"sku": "SKU-TEA", "quantity": 1, "unit_price_minor": 6450}],
    }  # fmt: skip


class Applied:
    """Finance's committed applications, as the notifications arrive: event id → time seen."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.changed = asyncio.Event()

    def __call__(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.seen.setdefault(payload, time.perf_counter())
        self.changed.set()

    async def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while len(self.seen) < count:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{len(self.seen)} of {count} events applied after {timeout:g}s")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), 1.0)
            except TimeoutError:
                continue


async def _event_orders(returns_db: str) -> dict[str, str]:
    """Event id → order id of every OrderPlaced returns recorded."""
    conn = await asyncpg.connect(libpq(returns_db))
    try:
        rows = await conn.fetch(
            "SELECT event_id::text AS e, message_key AS k FROM outbox WHERE event_type LIKE '%OrderPlaced%'"
        )
    finally:
        await conn.close()
    return {str(r["e"]): str(r["k"]) for r in rows}


class Pipeline:
    def __init__(self, returns_url: str, returns_db: str, applied: Applied) -> None:
        self.returns_url = returns_url
        self.returns_db = returns_db
        self.applied = applied
        self.sent: dict[str, float] = {}
        self.http_latencies: list[float] = []
        self.failures = 0

    async def post(self, http: httpx.AsyncClient, order_id: str, due: float | None = None) -> None:
        """Sends the order's placed fact. Latencies count from ``due``, the instant a paced run
        scheduled it (whatever it waited for a free client), else from now."""
        started = time.perf_counter() if due is None else due
        self.sent[order_id] = started
        response = await http.post("/order-facts", json=_placed(order_id))
        self.http_latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            self.failures += 1
            sys.stderr.write(f"order-facts {response.status_code}: {response.text[:200]}\n")

    async def committed(self) -> dict[str, float]:
        """Order id → when finance committed its OrderPlaced, for every one committed so far."""
        by_event = await _event_orders(self.returns_db)
        return {order: self.applied.seen[event] for event, order in by_event.items() if event in self.applied.seen}

    async def latencies(self, orders: list[str]) -> tuple[list[float], float]:
        """Sent → committed in finance, per order; and when the last one committed."""
        committed = await self.committed()
        wanted = set(orders)
        spans = [committed[o] - self.sent[o] for o in wanted if o in committed]
        return spans, max(committed[o] for o in wanted if o in committed)

    async def latencies_by_minute(self, orders: list[str], rate: float) -> list[list[float]]:
        """Sent → committed, grouped by the minute of the run each order was due in (order k
        is due k / rate seconds in): whether the latency drifts as the run goes on."""
        committed = await self.committed()
        minutes: list[list[float]] = []
        for k, order in enumerate(orders):
            if order in committed:
                minute = int(k / rate // 60)
                while len(minutes) <= minute:
                    minutes.append([])
                minutes[minute].append(committed[order] - self.sent[order])
        return [m for m in minutes if m]


async def _at_rate(clients: list[httpx.AsyncClient], pipeline: Pipeline, run: str) -> dict[str, float]:
    count = int(RATE * SECONDS)
    orders = [f"R-{run}-{k}" for k in range(count)]
    already = len(pipeline.applied.seen)
    # Open loop: order k is due at start + k / RATE whatever the earlier answers took, and its
    # latency counts from then. The clients take the due orders in turn; one that waits for a
    # free client waits here, in a FIFO, not in httpx's pool (see harness.http_clients).
    due: asyncio.Queue[tuple[str, float] | None] = asyncio.Queue()

    async def client(http: httpx.AsyncClient) -> None:
        while (item := await due.get()) is not None:
            await pipeline.post(http, *item)

    workers = [asyncio.create_task(client(http)) for http in clients]
    start = time.perf_counter()
    for k, order in enumerate(orders):
        at = start + k / RATE
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        due.put_nowait((order, at))
    for _ in workers:
        due.put_nowait(None)
    await asyncio.gather(*workers)
    sending = time.perf_counter() - start
    await pipeline.applied.wait_for(already + count, timeout=120 + SECONDS)
    spans, _ = await pipeline.latencies(orders)
    by_minute = await pipeline.latencies_by_minute(orders, RATE)
    return {
        "p99_by_minute_ms": [_quantile(m, 0.99) * 1000 for m in by_minute],
        "events": count,
        "sent_per_s": count / sending,
        "p50_ms": _quantile(spans, 0.5) * 1000,
        "p99_ms": _quantile(spans, 0.99) * 1000,
        "max_ms": max(spans) * 1000,
        "http_p99_ms": _quantile(pipeline.http_latencies[-count:], 0.99) * 1000,
    }


async def _flood(clients: list[httpx.AsyncClient], pipeline: Pipeline, run: str) -> float:
    orders = [f"F-{run}-{k}" for k in range(FLOOD)]
    already = len(pipeline.applied.seen)
    queue = iter(orders)

    async def client(http: httpx.AsyncClient) -> None:
        for order in queue:
            await pipeline.post(http, order)

    start = time.perf_counter()
    await asyncio.gather(*(client(http) for http in clients))
    await pipeline.applied.wait_for(already + FLOOD, timeout=600)
    _, last = await pipeline.latencies(orders)
    return FLOOD / (last - start)


async def _raw(bootstrap: str, size: int, round_no: int) -> float:
    """FLOOD messages of ``size`` bytes produced (the relay's producer settings, sent as fast
    as the producer takes them) and consumed by one consumer group; first send → last receipt."""
    topic = f"bench.raw.{round_no}.{uuid.uuid4().hex[:6]}"
    await ensure_topics(bootstrap, [topic], partitions=PARTITIONS)
    producer = make_producer(bootstrap, "bench-raw")
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"bench-raw-{topic}", auto_offset_reset="earliest",
        enable_auto_commit=False, max_poll_records=500,
    )  # fmt: skip
    await producer.start()
    await consumer.start()
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=100)
        value = b"x" * size
        received = 0
        start = time.perf_counter()

        async def produce() -> None:
            futures = [await producer.send(topic, value=value, key=str(k).encode()) for k in range(FLOOD)]
            await asyncio.gather(*futures)

        producing = asyncio.create_task(produce())
        last = start
        while received < FLOOD:
            batches = await consumer.getmany(timeout_ms=200)
            got = sum(len(b) for b in batches.values())
            if got:
                received += got
                last = time.perf_counter()
                await consumer.commit()
        await producing
        return FLOOD / (last - start)
    finally:
        await consumer.stop()
        await producer.stop()


async def _envelope_size(returns_db: str) -> int:
    conn = await asyncpg.connect(libpq(returns_db))
    try:
        return int(
            await conn.fetchval("SELECT avg(octet_length(envelope::text)) FROM outbox WHERE event_type LIKE '%Placed%'")
        )
    finally:
        await conn.close()


async def _measure(returns_url: str, returns_db: str, finance_db: str, bootstrap: str) -> dict[str, object]:
    listener = await asyncpg.connect(libpq(finance_db))
    applied = Applied()
    await listener.add_listener(CHANNEL, applied)
    pipeline = Pipeline(returns_url, returns_db, applied)
    token = mint_token(SECRET, subject="bench-shop", roles=[Role.service])
    run = uuid.uuid4().hex[:6]
    try:
        async with http_clients(returns_url, {"Authorization": f"Bearer {token}"}, CONCURRENCY) as clients:
            # Warm-up: finance's consumer has joined and both services have their pools and caches.
            warm = [f"W-{run}-{k}" for k in range(50)]
            await asyncio.gather(*(pipeline.post(clients[k % len(clients)], o) for k, o in enumerate(warm)))
            await applied.wait_for(len(warm), timeout=120)
            size = await _envelope_size(returns_db)
            rate = await _at_rate(clients, pipeline, run)
            rounds = []
            for r in range(ROUNDS):
                flood = await _flood(clients, pipeline, f"{run}{r}")
                rounds.append((flood, await _raw(bootstrap, size, r)))
            return {"rate": rate, "rounds": rounds, "size": size, "failures": pipeline.failures}
    finally:
        await listener.close()


def main() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp,
        Broker(log_path=Path(tmp) / "tansu.log") as broker,
        scratch_database("returns") as returns_db,
        scratch_database("finance") as finance_db,
    ):
        asyncio.run(_install_trigger(finance_db))
        # As deployed (environment dev: the default pool of 10, not the tests' 3).
        with (
            running_service(
                "returns", database_url=returns_db, kafka_bootstrap=broker.bootstrap, jwt_secret=SECRET, timeout=300
            ) as returns,
            running_service(
                "finance", database_url=finance_db, kafka_bootstrap=broker.bootstrap, jwt_secret=SECRET, timeout=300
            ),
            generator_gc_paused(),
        ):  # harness.generator_gc_paused says why
            results = asyncio.run(_measure(returns.url, returns_db, finance_db, broker.bootstrap))
    _report(results)


async def _install_trigger(finance_db: str) -> None:
    conn = await asyncpg.connect(libpq(finance_db))
    try:
        await conn.execute(NOTIFY_ON_APPLY)
    finally:
        await conn.close()


def _report(results: dict[str, object]) -> None:
    rate = results["rate"]
    rounds = results["rounds"]
    assert isinstance(rate, dict)
    assert isinstance(rounds, list)
    out = sys.stdout
    out.write(
        f"\nEvent pipeline: POST /order-facts (returns) → OrderPlaced → relay → Tansu → finance consumer committed; "
        f"{PARTITIONS} partitions, envelopes of {results['size']} bytes, {results['failures']} failed requests\n"
    )
    out.write(
        f"  at {RATE:g} events/s for {SECONDS:g}s ({rate['events']:,.0f} events, sent at {rate['sent_per_s']:.0f}/s): "
        f"request → effect committed p50 {rate['p50_ms']:.0f} ms, p99 {rate['p99_ms']:.0f} ms "
        f"(goal < 500), max {rate['max_ms']:.0f} ms; HTTP p99 {rate['http_p99_ms']:.0f} ms\n"
        f"  p99 by minute of the run: {', '.join(f'{v:.0f}' for v in rate['p99_by_minute_ms'])} ms\n"
    )
    out.write(f"  maximum throughput, {FLOOD:,} events by {CONCURRENCY} clients, per round:\n")
    for k, (pipe, raw) in enumerate(rounds, 1):
        out.write(
            f"    round {k}: pipeline {pipe:,.0f} events/s, raw aiokafka {raw:,.0f} msg/s, {pipe / raw:.1%} of raw\n"
        )
    pipes = [p for p, _ in rounds]
    ratios = [p / r for p, r in rounds]
    out.write(
        f"  median: pipeline {statistics.median(pipes):,.0f} events/s, {statistics.median(ratios):.1%} of raw "
        "(goal >= 60%)\n"
    )


if __name__ == "__main__":
    main()
