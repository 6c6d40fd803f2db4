"""Issue 23, scenario 2: kill -9 a producing service mid-publish.

returns takes in the shop's order facts (placed, paid) with its relay off, so they wait in its
outbox (a backlog, as after a broker outage); it is then started with its relay on, in small
batches, and killed with SIGKILL while the relay publishes the backlog (some batches marked
published, one on the wire), and started again. Afterwards every outbox row is published,
every event of the backlog is on ``returns.events`` (some twice: sent, not yet marked when
killed), and finance, consuming them in its own process, booked each ``OrderPaid`` once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.urls import libpq_url

from .figures import Figure, record, size
from .processes import Restartable, Servers, fetch, running, scalar, servers, topic_event_ids

__all__ = ["servers"]  # the fixture

OUTBOX = "SELECT event_id, event_type, message_key, published_at FROM outbox WHERE message_key = ANY($1::text[])"
PUBLISHED = "SELECT count(*) FILTER (WHERE published_at IS NOT NULL) FROM outbox WHERE message_key = ANY($1::text[])"


def _facts(order_id: str, paid_minor: int, at: datetime) -> list[dict[str, Any]]:
    return [
        {"kind": "placed", "shop_event_id": f"{order_id}-placed", "order_id": order_id, "customer_id": "C-F2",
         "occurred_at": at.isoformat(), "lines": [{"sku": "SKU-F2", "quantity": 1, "unit_price_minor": paid_minor}]},
        {"kind": "paid", "shop_event_id": f"{order_id}-paid", "order_id": order_id, "paid_minor": paid_minor,
         "occurred_at": (at + timedelta(minutes=1)).isoformat()},
    ]  # fmt: skip


async def test_returns_killed_while_its_relay_publishes_a_backlog_loses_nothing(servers: Servers) -> None:
    orders = [f"F2-{servers.run_id}-{i}" for i in range(size(100, 2_500))]
    paid = {order: 1_000 + i for i, order in enumerate(orders)}
    kafka_bootstrap, jwt_secret = servers.kafka_bootstrap, servers.jwt_secret
    finance = Restartable("finance", servers.env("finance", "f2"), "2-finance")
    returns_env = servers.env("returns", "f2", OUTBOX_BATCH_SIZE=str(size(10, 50)))
    returns = Restartable("returns", {**returns_env, "RETURNS_OUTBOX_RELAY_ENABLED": "false"}, "2-returns")
    service = Tokens(jwt_secret).headers(Role.service, subject="order-system")
    started = time.monotonic()
    async with running(finance, returns), httpx.AsyncClient(timeout=30) as http:
        url = returns.database_url
        gate = asyncio.Semaphore(8)

        async def take_in(order: str) -> None:
            async with gate:
                for fact in _facts(order, paid[order], datetime.now(UTC) - timedelta(hours=1)):
                    taken = await http.post(f"{returns.url}/order-facts", json=fact, headers=service)
                    assert taken.status_code == 200, taken.text

        await asyncio.gather(*(take_in(order) for order in orders))
        backlog = len(orders) * 2
        assert int(await scalar(url, PUBLISHED, orders)) == 0
        assert len(await fetch(url, OUTBOX, orders)) == backlog

        # The relay on, and killed once it has published part of the backlog.
        returns.kill()
        returns.env = returns_env
        conn = await asyncpg.connect(libpq_url(url))
        try:
            await returns.restart(wait=False)

            async def publishing() -> int:
                return int(await conn.fetchval(PUBLISHED, orders))

            published_at_kill = await eventually(publishing, timeout=400, interval=0.005, message="relay publishing")
            returns.kill()
        finally:
            await conn.close()
        await returns.restart()

        async def all_published() -> bool:
            return int(await scalar(url, PUBLISHED, orders)) == backlog

        await eventually(all_published, timeout=300, interval=0.2, message="the backlog published")
        rows = await fetch(url, OUTBOX, orders)
        paid_events = [str(row["event_id"]) for row in rows if row["event_type"].endswith(".OrderPaid.v1")]

        async def booked() -> bool:
            found = await scalar(
                finance.database_url,
                "SELECT count(*) FROM ledger_transactions WHERE source = ANY($1::text[])",
                [f"event:{event_id}" for event_id in paid_events],
            )
            return int(found) == len(orders)

        await eventually(booked, timeout=300, interval=0.5, message="finance booking every OrderPaid")
        on_broker = await topic_event_ids(kafka_bootstrap, "returns.events", set(orders))
        per_order = Counter(
            row["order_id"]
            for row in await fetch(
                finance.database_url,
                "SELECT details->>'order_id' AS order_id FROM ledger_transactions"
                " WHERE details->>'event_type' = 'aftersales.returns.OrderPaid.v1' AND details->>'order_id' = ANY($1)",
                orders,
            )
        )
        cash = int(
            await scalar(
                finance.database_url,
                "SELECT coalesce(sum(p.amount_minor), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
                " JOIN ledger_transactions t ON t.id = p.transaction_id"
                " WHERE a.code = 'cash' AND t.details->>'order_id' = ANY($1)",
                orders,
            )
        )
    outbox_ids = [uuid.UUID(str(row["event_id"])) for row in rows]
    lost = (
        sum(1 for row in rows if row["published_at"] is None)
        + sum(1 for event_id in outbox_ids if on_broker.get(event_id, 0) == 0)
        + sum(1 for order in orders if per_order[order] == 0)
    )
    doubled = sum(n - 1 for n in per_order.values())
    record(
        Figure(
            "2 kill -9 returns mid-publish",
            f"{backlog} events in returns' outbox (order facts of {len(orders)} orders), returns killed -9 while "
            "its relay published them",
            sent=backlog,
            lost=lost,
            doubled=doubled,
            extra={
                "published_at_kill": f"{published_at_kill}/{backlog}",
                "republished": sum(n - 1 for n in on_broker.values()),
                "finance_booked": sum(per_order.values()),
                "cash_equal": cash == sum(paid.values()),
                "seconds": round(time.monotonic() - started, 1),
            },
        )
    )
    assert published_at_kill < backlog, "not killed mid-publish"
    assert len(rows) == backlog
    assert cash == sum(paid.values())
