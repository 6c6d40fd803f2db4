"""The orders read model: kept from OrderPlaced/OrderPaid through the real consumer, the same
row whatever the order or repetition of the facts; read by staff only."""

from __future__ import annotations

import uuid

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_events.testing import consumer_record, wrap

from ..kit import feed, paid, placed


async def test_the_paid_price_and_customer_come_from_the_order_facts(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, clock: ManualClock
) -> None:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    # Paid arrives before placed (another partition's lag): both facts are kept.
    assert await feed(runner, paid(order_id, clock.now(), 12000), placed(order_id, clock.now(), total=12900)) == [
        "applied",
        "applied",
    ]
    got = await client.get(f"/orders/{order_id}", headers=tokens.headers(Role.agent))
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["paid_minor"], body["total_minor"], body["customer_id"], body["phone"], body["currency"]) == (
        12000,
        12900,
        "C-42",
        "13800138000",
        "CNY",
    )


async def test_a_redelivered_event_has_one_effect(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, clock: ManualClock
) -> None:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    envelope = wrap(placed(order_id, clock.now()), order_id)
    assert await runner.process(consumer_record(envelope)) == "applied"
    assert await runner.process(consumer_record(envelope)) == "duplicate"
    # A resent fact under a new envelope sets the same values.
    assert await feed(runner, placed(order_id, clock.now())) == ["applied"]
    body = (await client.get(f"/orders/{order_id}", headers=tokens.headers(Role.agent))).json()
    assert (body["customer_id"], body["paid_minor"]) == ("C-42", None)


async def test_only_staff_read_orders_and_an_unknown_one_is_404(client: httpx.AsyncClient, tokens: Tokens) -> None:
    assert (await client.get("/orders/x")).status_code == 401
    assert (await client.get("/orders/x", headers=tokens.headers(Role.customer))).status_code == 403
    missing = await client.get("/orders/nope", headers=tokens.headers(Role.finance))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
