"""Reviews' events driven through the real consumer runner (§5): ReviewCallRequested opens one
W1 call task due when the event says; ReviewCaseClosed withdraws it, or, delivered first,
keeps it from opening; CustomerFlagged (E3) shows on the customer's open and new tasks."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner, EventPayload
from aftersales_events.catalogue import reviews as ev
from aftersales_events.testing import consumer_record, wrap

from ..callbacks.kit import open_task, phone
from ..orders.kit import order_id, placed


def requested(case: uuid.UUID, at: datetime, *, number: str | None, customer: str = "C-7",
              order: str | None = None, due_at: datetime | None = None) -> ev.ReviewCallRequested:  # fmt: skip
    return ev.ReviewCallRequested(
        case_id=case, marketplace="taobao", review_id=f"R-{case.hex[:8]}", rating="negative", stars=1,
        order_id=order, customer_id=customer, phone=number, reviewed_at=at, due_at=due_at or at + timedelta(hours=24),
        requested_at=at,
    )  # fmt: skip


def closed(case: uuid.UUID, at: datetime, outcome: str = "amended") -> ev.ReviewCaseClosed:
    return ev.ReviewCaseClosed(case_id=case, marketplace="taobao", review_id=f"R-{case.hex[:8]}", outcome=outcome,
                               closed_at=at)  # fmt: skip


def flagged(case: uuid.UUID, customer: str, at: datetime, number: str | None = None) -> ev.CustomerFlagged:
    return ev.CustomerFlagged(
        customer_id=customer, case_id=case, report_id=uuid.uuid4(), marketplace="taobao", review_id="R-77",
        phone=number, reason="extortion", note="asked for money to remove it", flagged_by="sam", flagged_at=at,
    )  # fmt: skip


async def deliver(runner: ConsumerRunner, *payloads: EventPayload) -> list[str]:
    return [await runner.process(consumer_record(wrap(p, subject=str(getattr(p, "case_id", "s"))))) for p in payloads]


async def review_tasks(client: httpx.AsyncClient, tokens: Tokens, case: uuid.UUID) -> list[dict[str, Any]]:
    listed = await client.get("/callbacks", params={"kind": "review_call", "limit": 200},
                              headers=tokens.headers(Role.supervisor))  # fmt: skip
    return [t for t in listed.json()["items"] if t["source"] == f"review:{case}"]


async def test_a_requested_call_is_one_w1_task_due_as_the_event_says(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case, number, reviewed = uuid.uuid4(), phone(), clock.now() - timedelta(hours=3)
    due = reviewed + timedelta(hours=20)  # reviews owns the clock: whatever it says is when the call is due
    record = consumer_record(wrap(requested(case, reviewed, number=number, due_at=due), subject=str(case)))
    assert await runner.process(record) == "applied"
    assert await runner.process(record) == "duplicate"
    assert await deliver(runner, requested(case, reviewed, number=number, due_at=due)) == ["applied"]  # a resend
    [task] = await review_tasks(client, tokens, case)
    assert (task["kind"], task["source_step"], task["priority_class"], task["state"]) == (
        "review_call", "W1", "high", "open",
    )  # fmt: skip
    assert (task["phone"], task["customer_id"], task["customer_flag"]) == (number, "C-7", None)
    assert datetime.fromisoformat(task["due_at"]) == due
    assert task["due_rule"] == "W1: due when the requesting service says"


async def test_the_case_closing_withdraws_its_open_call_once(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case, other = uuid.uuid4(), uuid.uuid4()
    await deliver(runner, requested(case, clock.now(), number=phone()), requested(other, clock.now(), number=phone()))
    assert await deliver(runner, closed(case, clock.now()), closed(case, clock.now())) == ["applied", "applied"]
    [task] = await review_tasks(client, tokens, case)
    assert task["state"] == "withdrawn"
    history = (await client.get(f"/callbacks/{task['id']}/history", headers=tokens.headers(Role.agent))).json()
    assert [h["reason"] for h in history].count("review case closed: amended") == 1
    [untouched] = await review_tasks(client, tokens, other)
    assert untouched["state"] == "open"


async def test_a_closure_delivered_before_the_request_opens_no_call(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case = uuid.uuid4()
    assert await deliver(runner, closed(case, clock.now(), "flagged")) == ["applied"]
    assert await deliver(runner, requested(case, clock.now() - timedelta(hours=1), number=phone())) == ["applied"]
    assert await review_tasks(client, tokens, case) == []


async def test_without_a_phone_the_orders_number_is_called(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order, number, case = order_id(), phone(), uuid.uuid4()
    await deliver(runner, placed(order, number, clock.now() - timedelta(days=5)))
    await deliver(runner, requested(case, clock.now(), number=None, order=order))
    [task] = await review_tasks(client, tokens, case)
    assert (task["phone"], task["order_id"]) == (number, order)
    assert case not in await awaiting(client, tokens)


async def awaiting(client: httpx.AsyncClient, tokens: Tokens) -> dict[uuid.UUID, dict[str, Any]]:
    listed = await client.get("/review-calls/awaiting-phone", params={"limit": 200},
                              headers=tokens.headers(Role.supervisor))  # fmt: skip
    assert listed.status_code == 200, listed.text
    return {uuid.UUID(item["case_id"]): item for item in listed.json()["items"]}


async def test_with_no_number_known_the_call_waits_for_the_orders_number_and_then_opens_once(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order, number, case = order_id(), phone(), uuid.uuid4()
    reviewed = clock.now() - timedelta(hours=2)
    due = reviewed + timedelta(hours=24)
    assert await deliver(runner, requested(case, reviewed, number=None, order=order, due_at=due)) == ["applied"]
    assert await review_tasks(client, tokens, case) == []
    parked = (await awaiting(client, tokens))[case]
    assert (parked["order_id"], datetime.fromisoformat(parked["due_at"])) == (order, due)

    order_placed = placed(order, number, clock.now() - timedelta(days=3))
    await deliver(runner, order_placed)
    [task] = await review_tasks(client, tokens, case)
    assert (task["phone"], task["order_id"], datetime.fromisoformat(task["due_at"])) == (number, order, due)
    assert case not in await awaiting(client, tokens)
    await deliver(runner, requested(case, reviewed, number=None, order=order, due_at=due))  # a redelivery
    assert len(await review_tasks(client, tokens, case)) == 1


async def test_a_parked_call_whose_case_ends_first_never_opens(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order, case = order_id(), uuid.uuid4()
    await deliver(runner, requested(case, clock.now(), number=None, order=order))
    assert case in await awaiting(client, tokens)
    await deliver(runner, closed(case, clock.now()))
    assert case not in await awaiting(client, tokens)
    await deliver(runner, placed(order, phone(), clock.now()))
    assert await review_tasks(client, tokens, case) == []


async def test_the_parked_list_is_for_the_back_office(client: httpx.AsyncClient, tokens: Tokens) -> None:
    refused = await client.get("/review-calls/awaiting-phone", headers=tokens.headers(Role.merchant))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_a_flagged_customer_shows_on_their_open_and_new_call_tasks_and_nobody_elses(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    customer, case = f"C-{uuid.uuid4().hex[:8]}", uuid.uuid4()
    await deliver(runner, requested(case, clock.now(), number=phone(), customer=customer))
    bystander = await open_task(client, tokens, "outreach", customer_id=f"C-{uuid.uuid4().hex[:8]}")
    flag = flagged(case, customer, clock.now())
    record = consumer_record(wrap(flag, subject=str(case)))
    assert await runner.process(record) == "applied"
    assert await runner.process(record) == "duplicate"
    assert await deliver(runner, flag) == ["applied"]  # the same flag resent: kept once
    [task] = await review_tasks(client, tokens, case)
    text = task["customer_flag"]
    assert text.startswith("E3 malicious review: extortion (asked for money to remove it); taobao review R-77")
    assert f"case {case}" in text
    assert clock.now().isoformat() in text
    assert text.endswith("by sam")
    later = await open_task(client, tokens, "recommendation", customer_id=customer)
    assert later["customer_flag"] == text
    got = (await client.get(f"/callbacks/{bystander['id']}", headers=tokens.headers(Role.agent))).json()
    assert got["customer_flag"] is None
    assert (await open_task(client, tokens, "recommendation", customer_id="C-other"))["customer_flag"] is None
