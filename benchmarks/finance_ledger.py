"""Finance ledger: balanced transactions per second, through the API, through the consumer
(one event per transaction, and batched), beside raw asyncpg inserts of the same rows.

Every path writes the same rows into the same tables with the same triggers (balance
check at commit, maintained and daily balances, period check); the raw baseline only
skips the service code. Each transaction has two postings on two hot accounts.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped,unused-ignore]
from aiokafka import ConsumerRecord

from aftersales_chassis import Role, create_app
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens, app_client
from aftersales_devstack.broker import Broker
from aftersales_events import ConsumerRunner, EventEnvelope
from aftersales_events.catalogue import orders
from aftersales_events.kafka import make_producer
from finance_service.consumers import HANDLERS
from finance_service.main import definition
from finance_service.settings import FinanceSettings

from .harness import libpq, scratch_database

TOTAL = 20_000
BATCH = 500
SINGLE = 1_000  # unbatched paths are slow: measured on fewer
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


async def _raw(url: str, n: int) -> float:
    conn = await asyncpg.connect(libpq(url))
    cash = await conn.fetchval("SELECT id FROM accounts WHERE code = 'cash'")
    sales = await conn.fetchval("SELECT id FROM accounts WHERE code = 'sales'")

    async def work() -> None:
        for start in range(0, n, BATCH):
            now = datetime.now(UTC)
            ids = [uuid.uuid4() for _ in range(min(BATCH, n - start))]
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at,"
                    " accounting_date, details) SELECT id, 'raw:' || id, 'raw', 'CNY', $2, $2, $3, '{}'"
                    " FROM unnest($1::uuid[]) AS id",
                    ids,
                    now,
                    now.date(),
                )
                await conn.execute(
                    "INSERT INTO postings (transaction_id, account_id, amount_minor, currency)"
                    " SELECT t, a, m, 'CNY' FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS x(t, a, m)",
                    [i for i in ids for _ in (0, 1)],
                    [cash, sales] * len(ids),
                    [100, -100] * len(ids),
                )

    try:
        return await _rate(n, work)
    finally:
        await conn.close()


def _body(i: int) -> dict[str, object]:
    return {
        "reference": f"bench-{uuid.uuid4().hex}-{i}",
        "description": "bench",
        "effective_at": datetime.now(UTC).isoformat(),
        "legs": [{"account_code": "cash", "amount_minor": 100}, {"account_code": "sales", "amount_minor": -100}],
    }


async def _api(url: str, bootstrap: str) -> tuple[float, float]:
    settings = FinanceSettings(
        database_url=url, kafka_bootstrap_servers=bootstrap, jwt_secret=SECRET, log_json=True, log_level="WARNING"
    )
    headers = Tokens(SECRET).headers(Role.finance)
    async with app_client(create_app(definition, settings=settings)) as client:

        async def batched() -> None:
            for start in range(0, TOTAL, BATCH):
                response = await client.post(
                    "/ledger/transactions/batch",
                    json={"transactions": [_body(start + i) for i in range(BATCH)]},
                    headers=headers,
                )
                assert response.status_code == 200, response.text

        async def single() -> None:
            for i in range(SINGLE):
                response = await client.post("/ledger/transactions", json=_body(i), headers=headers)
                assert response.status_code == 201, response.text

        return await _rate(TOTAL, batched), await _rate(SINGLE, single)


async def _consumer(url: str, bootstrap: str) -> tuple[float, float]:
    db = Database.connect(url, pool_size=2)
    producer = make_producer(bootstrap, "finance-bench")
    await producer.start()
    runner = ConsumerRunner(
        service="finance", group_id="bench", bootstrap_servers=bootstrap, sessionmaker=db.sessionmaker,
        handlers=HANDLERS, dlq_producer=producer,
    )  # fmt: skip
    records = [
        ConsumerRecord("orders.events", 0, i, 0, 0, b"k", e.to_bytes(), None, 0, 0, ())
        for i, e in enumerate(_paid(i) for i in range(TOTAL + SINGLE))
    ]

    async def one_by_one() -> None:
        for message in records[TOTAL:]:
            assert await runner.process(message) == "applied"

    async def batched() -> None:
        for start in range(0, TOTAL, BATCH):
            outcomes = await runner.process_batch(records[start : start + BATCH])
            assert outcomes == ["applied"] * len(outcomes)

    try:
        return await _rate(SINGLE, one_by_one), await _rate(TOTAL, batched)
    finally:
        await producer.stop()
        await db.dispose()


def main() -> None:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if given else Broker()
    bootstrap = given or broker.bootstrap  # type: ignore[union-attr]
    try:
        with scratch_database("finance") as url:
            raw = asyncio.run(_raw(url, TOTAL))
            api_batch, api_single = asyncio.run(_api(url, bootstrap))
            consumer_single, consumer_batch = asyncio.run(_consumer(url, bootstrap))
    finally:
        if broker is not None:
            broker.stop()
    out = sys.stdout
    out.write(f"\nFinance ledger: balanced 2-posting transactions per second (batches of {BATCH}; 1 connection)\n")
    out.write(f"{'path':<44} {'tx/s':>9} {'÷ raw':>7}\n")
    for name, rate in (
        (f"raw asyncpg, unnest inserts ({TOTAL:,} tx)", raw),
        (f"API POST /ledger/transactions/batch ({TOTAL:,})", api_batch),
        (f"API POST /ledger/transactions, one each ({SINGLE:,})", api_single),
        (f"consumer runner, batches of {BATCH} ({TOTAL:,})", consumer_batch),
        (f"consumer runner, one event per tx ({SINGLE:,})", consumer_single),
    ):
        out.write(f"{name:<44} {rate:>9,.0f} {rate / raw:>7.2f}\n")
