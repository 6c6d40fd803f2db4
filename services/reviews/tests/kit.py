"""Builders the reviews tests share: order facts fed through the real consumer."""

from __future__ import annotations

from datetime import datetime

from aftersales_events import ConsumerRunner, EventPayload
from aftersales_events.catalogue import orders
from aftersales_events.testing import consumer_record, wrap


async def feed(runner: ConsumerRunner, *payloads: EventPayload) -> list[str]:
    return [
        await runner.process(consumer_record(wrap(p, p.order_id if hasattr(p, "order_id") else "s"))) for p in payloads
    ]


def placed(
    order_id: str, at: datetime, *, customer: str = "C-42", phone: str = "13800138000", total: int = 12900
) -> orders.OrderPlaced:
    return orders.OrderPlaced(
        order_id=order_id,
        shop_event_id=f"{order_id}-placed",
        occurred_at=at,
        merchant_id="M-001",
        customer_id=customer,
        contact=orders.CustomerContact(name="Wang", phone=phone),
        lines=[orders.OrderLine(sku="SKU-TEA", quantity=1, unit_price_minor=total)],
        total_minor=total,
        currency="CNY",
    )


def paid(order_id: str, at: datetime, amount: int) -> orders.OrderPaid:
    return orders.OrderPaid(
        order_id=order_id,
        shop_event_id=f"{order_id}-paid",
        occurred_at=at,
        merchant_id="M-001",
        paid_minor=amount,
        currency="CNY",
    )


async def paid_order(runner: ConsumerRunner, order_id: str, at: datetime, amount: int = 12900, **kw: str) -> None:
    assert await feed(runner, placed(order_id, at, total=amount, **kw), paid(order_id, at, amount)) == ["applied"] * 2
