"""The batched consumer path books the same as one event at a time, and a batch replayed
(same consumer, or one without dedupe rows) books nothing twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from finance_testkit import balances, wrap

from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_events.catalogue import orders
from finance_service.consumers.batch import apply_batch


async def test_a_batch_books_each_event_once(database: Database, client: httpx.AsyncClient, tokens: Tokens) -> None:
    before = await balances(client, tokens)
    envelopes = [
        wrap(
            orders.OrderPaid(
                order_id=f"BATCH-{i}", shop_event_id=uuid.uuid4().hex, occurred_at=datetime.now(UTC), paid_minor=10,
                currency="CNY",
            )
        )
        for i in range(20)
    ]  # fmt: skip
    assert await apply_batch(database.sessionmaker, "batch-a", envelopes) == 20
    assert await apply_batch(database.sessionmaker, "batch-a", envelopes) == 0
    assert await apply_batch(database.sessionmaker, "batch-b", envelopes) == 20  # fresh dedupe, unique sources hold
    after = await balances(client, tokens)
    assert after["cash"] - before["cash"] == 200
    assert after["sales"] - before["sales"] == -200
