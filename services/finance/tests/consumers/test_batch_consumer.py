"""The runner's batched path books the same as one event at a time, and a batch replayed
(same consumer, or one without dedupe rows) books nothing twice."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
from aiokafka import ConsumerRecord
from sqlalchemy import text

from aftersales_chassis import Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner, correlation_scope
from aftersales_events.catalogue import orders
from aftersales_events.testing import wrap
from finance_service.consumers import HANDLERS


def _records(count: int) -> list[ConsumerRecord[bytes, bytes]]:
    envelopes = [
        wrap(
            orders.OrderPaid(
                order_id=f"BATCH-{uuid.uuid4().hex[:8]}", shop_event_id=uuid.uuid4().hex,
                occurred_at=datetime.now(UTC), paid_minor=10, currency="CNY",
            )
        )
        for _ in range(count)
    ]  # fmt: skip
    return [
        ConsumerRecord("orders.events", 0, i, 0, 0, b"k", e.to_bytes(), None, 0, 0, ()) for i, e in enumerate(envelopes)
    ]


def _fresh(database: Database, runner: ConsumerRunner) -> ConsumerRunner:
    return ConsumerRunner(
        service="finance", group_id=f"batch-{uuid.uuid4().hex[:6]}", bootstrap_servers="unused:9092",
        sessionmaker=database.sessionmaker, handlers=HANDLERS, dlq_producer=runner._dlq_producer,
    )  # fmt: skip


async def test_a_batch_books_each_event_once(
    database: Database, client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner
) -> None:
    records = _records(20)

    assert await runner.process_batch(records) == ["applied"] * 20
    assert await runner.process_batch(records) == ["duplicate"] * 20
    # A consumer without dedupe rows (a new group): the unique sources still hold.
    assert await _fresh(database, runner).process_batch(records) == ["applied"] * 20

    # Each event's own transaction (balances are shared with whatever else the session's consumer books).
    for record in records:
        event_id = json.loads(record.value)["id"]
        booked = await client.get(
            "/ledger/transactions", params={"source": f"event:{event_id}"}, headers=tokens.headers(Role.finance)
        )
        [transaction] = booked.json()["items"]
        assert {p["account_code"]: p["amount_minor"] for p in transaction["postings"]} == {"cash": 10, "sales": -10}
    async with database.sessionmaker() as session:
        orders_known = await session.scalar(
            text("SELECT count(*) FROM settlement_orders WHERE order_id LIKE 'BATCH-%' AND paid_minor = 10")
        )
    assert orders_known == 20  # the read model, one upsert per batch


async def test_each_posted_transaction_names_the_event_that_caused_it_even_when_booked_in_the_flush(
    database: Database, runner: ConsumerRunner
) -> None:
    """Booking is deferred to the end of the batch (outside every event's correlation scope):
    each LedgerTransactionPosted still carries its own event's correlation and causation."""
    envelopes = []
    for n in range(3):
        with correlation_scope(f"corr-{uuid.uuid4().hex}"):  # one correlation per event, as from 3 requests
            envelopes.append(
                wrap(
                    orders.OrderPaid(
                        order_id=f"CAUSE-{uuid.uuid4().hex[:8]}-{n}", shop_event_id=uuid.uuid4().hex,
                        occurred_at=datetime.now(UTC), paid_minor=10, currency="CNY",
                    )
                )
            )  # fmt: skip
    records = [
        ConsumerRecord("orders.events", 0, i, 0, 0, b"k", e.to_bytes(), None, 0, 0, ()) for i, e in enumerate(envelopes)
    ]

    assert await runner.process_batch(records) == ["applied"] * 3

    async with database.sessionmaker() as session:
        posted = (
            await session.execute(
                text(
                    "SELECT t.source, o.envelope FROM ledger_transactions t"
                    " JOIN outbox o ON o.message_key = t.id::text WHERE t.source = ANY(:sources)"
                ),
                {"sources": [f"event:{e.id}" for e in envelopes]},
            )
        ).all()
    causes = {source: (envelope["correlationid"], envelope["causationid"]) for source, envelope in posted}
    assert causes == {f"event:{e.id}": (e.correlationid, str(e.id)) for e in envelopes}
