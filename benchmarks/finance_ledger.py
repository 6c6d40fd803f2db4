"""Finance ledger: balanced transactions per second, through the API, through the consumer
(one event per transaction, batched, and the running runner fed by the broker), beside raw
asyncpg inserts of the same rows.

Every path writes into the same tables with the same triggers (balance check at commit,
maintained and daily balances, period check); the raw baselines only skip the service
code. Each transaction has two postings on the same two hot accounts (the worst case: every
batch waits for the account rows). Two raw baselines: every row the API writes per
transaction (the transaction, its postings, its LedgerTransactionPosted outbox row), and
every row the consumer writes per event (those, plus the dedupe row and the settlement
read-model upsert). The API runs as deployed: uvicorn in its own process (relay and
scheduler on), clients in this one. The one-per-request path is bound by the commit's
fsync, not by the service. This machine's speed drifts by up to 2x between minutes, so the
API batch path and process_batch each run ROUNDS rounds back to back with their raw
baseline; medians are printed, with every round's ratio.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx
from aiokafka import ConsumerRecord
from sqlalchemy import func, select

from aftersales_chassis import Role, mint_token
from aftersales_chassis.db import Database
from aftersales_chassis.runtime import YOUNG_THRESHOLD, settle_heap
from aftersales_devstack.broker import Broker
from aftersales_devstack.services import running_service
from aftersales_events import ConsumerRunner, EventEnvelope, dlq_topic_for, processed_events
from aftersales_events.catalogue import finance as fin
from aftersales_events.catalogue import orders
from aftersales_events.kafka import ensure_topics, make_producer
from finance_service.consumers import HANDLERS

from .harness import libpq, outbox_drained, scratch_database

TOTAL = 20_000
BATCH = 500
SINGLE = 1_000  # unbatched paths are slow: measured on fewer
ROUNDS = 3
CONCURRENCY = 4  # API clients posting batches at once (pgledger's published figure used 20)
PARTITIONS = 3
SECRET = "bench-secret-bench-secret-bench-secret"


def _paid(i: int) -> EventEnvelope:
    payload = orders.OrderPaid(
        order_id=f"B-{i}", shop_event_id=uuid.uuid4().hex, occurred_at=datetime.now(UTC), paid_minor=100 + i % 50,
        currency="CNY", merchant_id=None,
    )  # fmt: skip
    return EventEnvelope.wrap(payload, subject=payload.order_id, time=datetime.now(UTC))


async def _rate(n: int, work: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await work()
    return n / (time.perf_counter() - started)


async def _raw(url: str, n: int, *, consumer_rows: bool) -> float:
    """The rows a path writes, from arrays, one transaction per batch: the ledger transaction,
    its two postings and its LedgerTransactionPosted outbox row (what the API writes); with
    ``consumer_rows`` also the dedupe row and the settlement read-model upsert."""
    conn = await asyncpg.connect(libpq(url))
    cash = await conn.fetchval("SELECT id FROM accounts WHERE code = 'cash'")
    sales = await conn.fetchval("SELECT id FROM accounts WHERE code = 'sales'")
    events = [_paid(i) for i in range(n)]
    ids = [uuid.uuid4() for _ in range(n)]
    posted = [_posted(tx_id).model_dump_json() for tx_id in ids]  # made before the clock starts

    async def work() -> None:
        for start in range(0, n, BATCH):
            now = datetime.now(UTC)
            chunk, tx_ids, envelopes = (
                events[start : start + BATCH],
                ids[start : start + BATCH],
                posted[start : start + BATCH],
            )
            async with conn.transaction():
                if consumer_rows:
                    await conn.execute(
                        "INSERT INTO processed_events (consumer, event_id, event_type) SELECT 'raw', e, t"
                        " FROM unnest($1::uuid[], $2::text[]) AS x(e, t)",
                        [e.id for e in chunk],
                        [e.type for e in chunk],
                    )
                    await conn.execute(
                        "INSERT INTO settlement_orders (order_id, updated_at, paid_minor, paid_at, currency)"
                        " SELECT o, $2, 100, $2, 'CNY' FROM unnest($1::text[]) AS o ON CONFLICT (order_id) DO NOTHING",
                        [f"raw-{e.id}" for e in chunk],
                        now,
                    )
                await conn.execute(
                    "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at,"
                    " accounting_date, details) SELECT id, 'raw:' || id, 'raw', 'CNY', $2, $2, $3, '{}'"
                    " FROM unnest($1::uuid[]) AS id",
                    tx_ids,
                    now,
                    now.date(),
                )
                await conn.execute(
                    "INSERT INTO postings (transaction_id, account_id, amount_minor, currency)"
                    " SELECT t, a, m, 'CNY' FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS x(t, a, m)",
                    [i for i in tx_ids for _ in (0, 1)],
                    [cash, sales] * len(tx_ids),
                    [100, -100] * len(tx_ids),
                )
                await conn.execute(
                    # Written as published: the running service's relay leaves the baseline's rows alone.
                    "INSERT INTO outbox (event_id, topic, message_key, event_type, envelope, source, correlation_id,"
                    " published_at)"
                    " SELECT gen_random_uuid(), 'finance.events', k, 'raw', e::json, '/aftersales/finance', k, now()"
                    " FROM unnest($1::text[], $2::text[]) AS x(k, e)",
                    [str(i) for i in tx_ids],
                    envelopes,
                )

    try:
        return await _rate(n, work)
    finally:
        await conn.close()


def _posted(transaction_id: uuid.UUID) -> EventEnvelope:
    payload = fin.LedgerTransactionPosted(
        transaction_id=transaction_id, source=f"raw:{transaction_id}", currency="CNY", total_debit_minor=100,
        booked_at=datetime.now(UTC),
    )  # fmt: skip
    return EventEnvelope.wrap(payload, subject=str(transaction_id), time=datetime.now(UTC))


def _body(i: int) -> dict[str, object]:
    return {
        "reference": f"bench-{uuid.uuid4().hex}-{i}",
        "description": "bench",
        "effective_at": datetime.now(UTC).isoformat(),
        "legs": [{"account_code": "cash", "amount_minor": 100}, {"account_code": "sales", "amount_minor": -100}],
    }


async def _api(base_url: str, database_url: str) -> tuple[list[tuple[float, float]], float, float]:
    """The service in its own uvicorn process, as deployed; clients post over keep-alive.

    This machine's speed drifts by up to 2x from one minute to the next (other tenants), so
    the batch path and raw baseline A run back to back in each of ROUNDS rounds: returns
    (API rate, raw A rate) per round, the one-per-request rate and the last relay lag."""
    headers = {"Authorization": f"Bearer {mint_token(SECRET, subject='bench', roles=[Role.finance])}"}
    headers["Content-Type"] = "application/json"
    rounds_of_bodies = [
        [
            json.dumps({"transactions": [_body(start + i) for i in range(BATCH)]}).encode()
            for start in range(0, TOTAL, BATCH)
        ]
        for _ in range(ROUNDS)
    ]
    singles = [json.dumps(_body(i)).encode() for i in range(SINGLE)]
    limits = httpx.Limits(max_keepalive_connections=CONCURRENCY, max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=120) as client:

        async def client_posting(mine: list[bytes]) -> None:
            for body in mine:
                response = await client.post("/ledger/transactions/batch", content=body)
                assert response.status_code == 200, response.text[:500]

        async def batched(bodies: list[bytes]) -> None:
            await asyncio.gather(*(client_posting(bodies[k::CONCURRENCY]) for k in range(CONCURRENCY)))

        async def single() -> None:
            for body in singles:
                response = await client.post("/ledger/transactions", content=body)
                assert response.status_code == 201, response.text[:500]

        rounds = []
        for bodies in rounds_of_bodies:
            api_rate = await _rate(TOTAL, functools.partial(batched, bodies))
            relay_lag = await outbox_drained(database_url)  # the relay's backlog does not slow the next phase
            rounds.append((api_rate, await _raw(database_url, TOTAL, consumer_rows=False)))
        return rounds, await _rate(SINGLE, single), relay_lag


async def _from_broker(url: str, bootstrap: str, group: str) -> float:
    """The running runner (a worker per partition, PARTITIONS side by side) draining TOTAL
    new events the broker already holds; timed from its first applied batch to its last.

    Every round uses the same consumer group, so it resumes from its committed offsets and
    reads only this round's events: a new group would re-read earlier rounds' events too,
    whose ledger sources are already booked (no postings, no outbox rows) and would flatter
    the figure."""
    topic = orders.OrderPaid.topic()
    await ensure_topics(bootstrap, [topic, dlq_topic_for(topic)], partitions=PARTITIONS)
    producer = make_producer(bootstrap, "finance-bench-feed")
    await producer.start()
    try:
        for start in range(0, TOTAL, BATCH):
            sent = []
            for envelope in (_paid(start + i) for i in range(BATCH)):
                sent.append(await producer.send(topic, envelope.to_bytes(), key=envelope.subject.encode()))
            await asyncio.gather(*sent)
    finally:
        await producer.stop()
    db = Database.connect(url, pool_size=PARTITIONS + 1)
    dlq = make_producer(bootstrap, "finance-bench-dlq")
    await dlq.start()
    runner = ConsumerRunner(
        service="finance", group_id=group, bootstrap_servers=bootstrap, sessionmaker=db.sessionmaker,
        handlers=HANDLERS, dlq_producer=dlq, batch_size=BATCH,
    )  # fmt: skip

    async def applied() -> int:
        async with db.sessionmaker() as session:
            count = select(func.count()).select_from(processed_events).where(processed_events.c.consumer == group)
            return int(await session.scalar(count) or 0)

    async def at_least(count: int) -> int:
        for _ in range(30_000):  # 5 minutes
            if (seen := await applied()) >= count:
                return seen
            await asyncio.sleep(0.01)
        raise TimeoutError(f"the runner applied fewer than {count} events")

    before = await applied()
    settle_heap(YOUNG_THRESHOLD)  # as a service does after startup (see _consumer)
    await runner.start()
    try:
        first = await at_least(before + 1)
        started = time.perf_counter()
        done = await at_least(before + TOTAL)
        return (done - first) / (time.perf_counter() - started)
    finally:
        await runner.stop()
        await dlq.stop()
        await db.dispose()


async def _consumer(url: str, bootstrap: str) -> tuple[float, list[tuple[float, float]]]:
    """One event per transaction, then ROUNDS rounds of (process_batch, raw baseline B) back
    to back, as for the API: (one-by-one rate, [(batch rate, raw B rate) per round])."""
    db = Database.connect(url, pool_size=2)
    producer = make_producer(bootstrap, "finance-bench")
    await producer.start()
    runner = ConsumerRunner(
        service="finance", group_id="bench", bootstrap_servers=bootstrap, sessionmaker=db.sessionmaker,
        handlers=HANDLERS, dlq_producer=producer,
    )  # fmt: skip
    records = [
        ConsumerRecord("orders.events", 0, i, 0, 0, b"k", e.to_bytes(), None, 0, 0, ())
        for i, e in enumerate(_paid(i) for i in range(ROUNDS * TOTAL + SINGLE))
    ]
    # The runner runs here, not in a service: freeze this process's heap as a service does
    # after startup (runtime.settle_heap), or the collector walks these prepared inputs.
    settle_heap(YOUNG_THRESHOLD)

    async def one_by_one() -> None:
        for message in records[-SINGLE:]:
            assert await runner.process(message) == "applied"

    async def batched(first: int) -> None:
        for start in range(first, first + TOTAL, BATCH):
            outcomes = await runner.process_batch(records[start : start + BATCH])
            assert outcomes == ["applied"] * len(outcomes)

    try:
        rounds = []
        for r in range(ROUNDS):
            batch_rate = await _rate(TOTAL, functools.partial(batched, r * TOTAL))
            rounds.append((batch_rate, await _raw(url, TOTAL, consumer_rows=True)))
        return await _rate(SINGLE, one_by_one), rounds
    finally:
        await producer.stop()
        await db.dispose()


def main() -> None:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if given else Broker()
    bootstrap = given or broker.bootstrap  # type: ignore[union-attr]
    try:
        with scratch_database("finance") as url:
            extra = {"FINANCE_LOG_LEVEL": "WARNING", "FINANCE_CONSUMER_GROUP": f"bench-api-{uuid.uuid4().hex[:6]}"}
            with running_service(
                "finance", database_url=url, kafka_bootstrap=bootstrap, jwt_secret=SECRET, extra_env=extra
            ) as service:
                rounds, api_single, relay_lag = asyncio.run(_api(service.url, url))
            consumer_single, consumer_rounds = asyncio.run(_consumer(url, bootstrap))
            group = f"bench-broker-{uuid.uuid4().hex[:6]}"  # one group: each round reads only its own events
            broker_rounds = [asyncio.run(_from_broker(url, bootstrap, group)) for _ in range(ROUNDS)]
    finally:
        if broker is not None:
            broker.stop()
    api_batch, raw = statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)
    consumer_batch = statistics.median(r[0] for r in consumer_rounds)
    broker_fed = statistics.median(broker_rounds)
    raw_consumer = statistics.median(r[1] for r in consumer_rounds)
    out = sys.stdout
    out.write(f"\nFinance ledger: balanced 2-posting transactions per second (batches of {BATCH}; goal 5,000)\n")
    out.write(f"{'path':<58} {'tx/s':>9} {'÷ raw':>7}  raw\n")
    for name, rate, baseline in (
        (f"A  raw asyncpg: every row the API writes ({TOTAL:,} tx)", raw, raw),
        (f"B  raw asyncpg: every row the consumer writes ({TOTAL:,})", raw_consumer, raw_consumer),
        (f"API (uvicorn) POST …/batch, {CONCURRENCY} clients ({TOTAL:,})", api_batch, raw),
        (f"API (uvicorn) POST /ledger/transactions, one each ({SINGLE:,})", api_single, raw),
        (f"consumer runner, process_batch of {BATCH} ({TOTAL:,})", consumer_batch, raw_consumer),
        (f"consumer runner fed by the broker, {PARTITIONS} partitions ({TOTAL:,})", broker_fed, raw_consumer),
        (f"consumer runner, one event per tx ({SINGLE:,})", consumer_single, raw_consumer),
    ):
        label = "A" if baseline is raw else "B"
        out.write(f"{name:<58} {rate:>9,.0f} {rate / baseline:>7.2f}  {label}\n")
    out.write(
        f"API batch and raw A: median of {ROUNDS} rounds run back to back; API batch per round: "
        + ", ".join(f"{api:,.0f} tx/s ({api / raw_a:.2f} of raw A {raw_a:,.0f})" for api, raw_a in rounds)
        + "\n"
    )
    out.write(
        f"process_batch and raw B: median of {ROUNDS} rounds run back to back; process_batch per round: "
        + ", ".join(f"{rate:,.0f} tx/s ({rate / raw_b:.2f} of raw B {raw_b:,.0f})" for rate, raw_b in consumer_rounds)
        + "\n"
    )
    out.write(
        f"runner fed by the broker: median of {ROUNDS} rounds of {TOTAL:,} new events each; per round: "
        + ", ".join(f"{rate:,.0f} tx/s" for rate in broker_rounds)
        + "\n"
    )
    out.write(f"API relay: all {TOTAL:,} LedgerTransactionPosted published {relay_lag:.1f} s after the last batches\n")
