"""Order facts as the returns service publishes them, for the consumer tests."""

from __future__ import annotations

import uuid
from datetime import datetime

from aftersales_events import ConsumerRunner, EventPayload
from aftersales_events.catalogue import orders
from aftersales_events.testing import consumer_record, wrap


def order_id() -> str:
    return f"TB-{uuid.uuid4().hex[:10]}"


def placed(order: str, phone: str, at: datetime, total_minor: int = 12900) -> orders.OrderPlaced:
    return orders.OrderPlaced(
        order_id=order, shop_event_id=uuid.uuid4().hex, occurred_at=at, customer_id="C-42",
        contact=orders.CustomerContact(name="Wang", phone=phone), lines=[], total_minor=total_minor, currency="CNY",
    )  # fmt: skip


def signed_for(order: str, at: datetime) -> orders.OrderSignedFor:
    return orders.OrderSignedFor(order_id=order, shop_event_id=uuid.uuid4().hex, occurred_at=at)


def paid(order: str, at: datetime, amount: int = 12900) -> orders.OrderPaid:
    return orders.OrderPaid(order_id=order, shop_event_id=uuid.uuid4().hex, occurred_at=at, paid_minor=amount,
                            currency="CNY")  # fmt: skip


async def deliver(runner: ConsumerRunner, *payloads: EventPayload) -> list[str]:
    return [await runner.process(consumer_record(wrap(p, subject=getattr(p, "order_id", "s")))) for p in payloads]
