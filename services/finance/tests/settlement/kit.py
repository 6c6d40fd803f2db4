"""Helpers for the settlement tests: feed finance's read models through the real consumer."""

from __future__ import annotations

import uuid
from datetime import datetime

from aftersales_events import ConsumerRunner, EventPayload
from aftersales_events.catalogue import callcenter as cc
from aftersales_events.catalogue import orders
from aftersales_events.catalogue import returns as ret
from aftersales_events.catalogue import tickets as tix
from aftersales_events.testing import consumer_record, wrap


async def feed(runner: ConsumerRunner, *payloads: EventPayload) -> None:
    for payload in payloads:
        assert await runner.process(consumer_record(wrap(payload))) == "applied"


def paid_order(order_id: str, merchant: str, amount: int, at: datetime) -> list[EventPayload]:
    fact = {"order_id": order_id, "merchant_id": merchant, "occurred_at": at}
    return [
        orders.OrderPlaced(
            **fact,
            shop_event_id=f"{order_id}-placed",
            customer_id="c1",
            lines=[orders.OrderLine(sku="S", quantity=1, unit_price_minor=amount)],
            total_minor=amount,
            currency="CNY",
        ),
        orders.OrderPaid(**fact, shop_event_id=f"{order_id}-paid", paid_minor=amount, currency="CNY"),
    ]


def cancelled(order_id: str, merchant: str, at: datetime) -> EventPayload:
    return orders.OrderCancelled(order_id=order_id, merchant_id=merchant, occurred_at=at, shop_event_id=f"{order_id}-c")


def cancellation_refund(order_id: str, merchant: str, amount: int, at: datetime) -> EventPayload:
    return ret.RefundApproved(
        order_id=order_id,
        kind="cancellation",
        amount_minor=amount,
        goods_minor=amount,
        freight_minor=0,
        currency="CNY",
        method="online",
        approved_by="sup",
        approved_at=at,
        merchant_id=merchant,
    )


def cancellation_confirmed(order_id: str, amount: int, at: datetime) -> EventPayload:
    return ret.OrderCancellationConfirmed(
        order_id=order_id,
        cancellation_id=uuid.uuid4(),
        confirmed_by="wh",
        confirmed_at=at,
        paid_minor=amount,
        currency="CNY",
    )


def complaint(order_id: str, merchant: str, at: datetime) -> tuple[EventPayload, EventPayload]:
    complaint_id = uuid.uuid4()
    return (
        tix.ComplaintOpened(complaint_id=complaint_id, order_id=order_id, merchant_id=merchant, opened_at=at),
        tix.ComplaintClosed(complaint_id=complaint_id, order_id=order_id, resolution="resolved", closed_at=at),
    )


def deposit_cancelled(merchant: str, amount: int, at: datetime, outcome: str = "cancelled") -> EventPayload:
    return cc.DepositCancelled(
        cancellation_id=uuid.uuid4(),
        deposit_id=f"dep-{uuid.uuid4().hex[:8]}",
        merchant_id=merchant,
        outcome=outcome,  # type: ignore[arg-type]
        amount_minor=amount,
        currency="CNY",
        recorded_by="cc",
        recorded_at=at,
    )
