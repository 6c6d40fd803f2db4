"""A8: a follow-up call 3 days after the parcel is signed for, due by the close of the first
working day then; once per order; withdrawn if a return or complaint opens for the order first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_events.catalogue import returns, tickets
from aftersales_events.testing import consumer_record, wrap

from ..callbacks.kit import phone
from .kit import deliver, order_id, placed, signed_for

SIGNED = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # Wednesday 14:00 Shanghai


async def _a8_tasks(client: httpx.AsyncClient, tokens: Tokens, order: str) -> list[dict[str, Any]]:
    listed = await client.get("/callbacks", params={"kind": "a8_follow_up", "limit": 200},
                              headers=tokens.headers(Role.supervisor))  # fmt: skip
    return [t for t in listed.json()["items"] if t["order_id"] == order]


async def test_signed_for_opens_one_follow_up_workable_three_days_later(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order, number = order_id(), phone()
    signed = signed_for(order, SIGNED)
    record = consumer_record(wrap(signed, subject=order))
    assert await deliver(runner, placed(order, number, SIGNED)) == ["applied"]
    assert await runner.process(record) == "applied"
    assert await runner.process(record) == "duplicate"
    await deliver(runner, signed_for(order, SIGNED))  # the order system resent the fact
    [task] = await _a8_tasks(client, tokens, order)
    assert (task["phone"], task["source_step"], task["priority_class"], task["state"]) == (
        number,
        "A8",
        "medium",
        "open",
    )
    assert datetime.fromisoformat(task["not_before"]) == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # Saturday 14:00
    assert datetime.fromisoformat(task["due_at"]) == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday 18:00


async def test_signed_for_before_the_order_is_known_opens_when_it_is(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = order_id()
    await deliver(runner, signed_for(order, SIGNED))
    assert await _a8_tasks(client, tokens, order) == []
    await deliver(runner, placed(order, phone(), SIGNED))
    assert len(await _a8_tasks(client, tokens, order)) == 1


async def test_a_return_withdraws_the_follow_up_and_a_complaint_first_prevents_it(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = order_id()
    await deliver(runner, placed(order, phone(), SIGNED), signed_for(order, SIGNED))
    requested = returns.ReturnRequested(
        return_id=uuid.uuid4(), order_id=order, reason="damaged", lines=[], requested_refund_minor=100,
        freight_minor=0, freight_payer="shop", currency="CNY", requested_by="ann",
    )  # fmt: skip
    await deliver(runner, requested)
    [task] = await _a8_tasks(client, tokens, order)
    assert task["state"] == "withdrawn"
    history = (await client.get(f"/callbacks/{task['id']}/history", headers=tokens.headers(Role.agent))).json()
    assert history[-1]["reason"].startswith("A8 withdrawn: return")

    other = order_id()
    opened = tickets.ComplaintOpened(complaint_id=uuid.uuid4(), order_id=other, opened_at=SIGNED)
    await deliver(runner, placed(other, phone(), SIGNED), opened, signed_for(other, SIGNED))
    assert await _a8_tasks(client, tokens, other) == []


async def test_no_follow_up_for_a_phone_on_the_do_not_call_register(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order, number = order_id(), phone()
    registered = await client.post("/do-not-call", json={"phone": number, "reason": "no calls"},
                                   headers=tokens.headers(Role.agent))  # fmt: skip
    assert registered.status_code == 200
    assert await deliver(runner, placed(order, number, SIGNED), signed_for(order, SIGNED)) == ["applied", "applied"]
    assert await _a8_tasks(client, tokens, order) == []
