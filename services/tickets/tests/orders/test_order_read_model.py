"""The order read model: order facts from returns' events, applied once, in any order; a
complaint about a known order is linked to its customer, merchant and paid amount."""

from __future__ import annotations

from fastapi import FastAPI

from aftersales_chassis import ManualClock
from aftersales_events.testing import consumer_record, wrap
from tickets_service.orders.repository import OrderRepository

from ..kit import feed, paid_order, unique


async def _order(app: FastAPI, order_id: str) -> dict[str, object] | None:
    async with app.state.db.sessionmaker() as session:
        found = await OrderRepository(session).find(order_id)
        if found is None:
            return None
        return {c: getattr(found, c) for c in ("customer_id", "merchant_id", "paid_minor", "total_minor", "currency")}


async def test_facts_fill_the_order_in_any_order_and_a_redelivery_changes_nothing(
    app: FastAPI, clock: ManualClock
) -> None:
    order_id = unique("TB")
    placed, paid = paid_order(order_id, customer="C-1", merchant="M-1", paid=12900, at=clock.now())
    await feed(app, paid)  # the paid fact overtook the placed one
    assert await _order(app, order_id) == {
        "customer_id": None, "merchant_id": "M-1", "paid_minor": 12900, "total_minor": None, "currency": "CNY",
    }  # fmt: skip
    await feed(app, placed)
    expected = {
        "customer_id": "C-1",
        "merchant_id": "M-1",
        "paid_minor": 12900,
        "total_minor": 12900,
        "currency": "CNY",
    }
    assert await _order(app, order_id) == expected

    again = wrap(paid)
    assert await app.state.consumer.process(consumer_record(again)) == "applied"
    assert await app.state.consumer.process(consumer_record(again)) == "duplicate"
    assert await _order(app, order_id) == expected
