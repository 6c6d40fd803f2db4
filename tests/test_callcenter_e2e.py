"""Cross-service: the shop's order facts, posted to returns, reach callcenter through the real
broker; returns and callcenter run as real processes, those of the shared stack (PROCESSES.md A8,
§2 B1–B5).

- placed → paid → shipped → signed for (OrderSignedFor) → an A8 follow-up task in the callback
  queue, workable 3 days after the signature, with its A8 SLA clock running;
- placed and not paid (OrderPlaced) → a B3 chat reminder scheduled within the hour; a large
  order → a B5 phone task in the queue instead, with its B5 clock;
- placed and paid in time (OrderPaid before the reminder went out) → the reminder cancelled,
  never sent, and the large order's phone task withdrawn, its clock stopped in time.

The reminders' sending is a fixed-time job every 5 minutes of real time here: these tests stop
at what the events decide (scheduled, cancelled, withdrawn); sending, and the check against
payment at send time, are tested on a manual clock in services/callcenter/tests/reminders.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess

LARGE_MINOR = 100_000  # callcenter's large_order_minor default (B5)


def _order() -> str:
    return f"TB-E2E-CC-{uuid.uuid4().hex[:8]}"


def _phone() -> str:
    return "138" + str(uuid.uuid4().int)[:8]


def _placed(order: str, phone: str, at: datetime, unit_minor: int = 6450) -> dict[str, Any]:
    return {
        "kind": "placed", "shop_event_id": f"{order}-placed", "order_id": order, "customer_id": "C-77",
        "occurred_at": at.isoformat(), "merchant_id": "M-001",
        "contact": {"name": "Li", "phone": phone, "address": "Xuhui, Shanghai"},
        "lines": [{"sku": "SKU-TEA-250G", "quantity": 2, "unit_price_minor": unit_minor}],
    }  # fmt: skip


def _paid(order: str, at: datetime, paid_minor: int) -> dict[str, Any]:
    return {"kind": "paid", "shop_event_id": f"{order}-paid", "order_id": order, "paid_minor": paid_minor,
            "occurred_at": at.isoformat()}  # fmt: skip


async def _post_facts(http: httpx.AsyncClient, returns: str, tokens: Tokens, *facts: dict[str, Any]) -> None:
    for fact in facts:
        response = await http.post(
            f"{returns}/order-facts", json=fact, headers=tokens.headers(Role.service, subject="order-system")
        )
        assert response.status_code in (200, 201), response.text


async def _tasks_for(
    http: httpx.AsyncClient, callcenter: str, tokens: Tokens, order: str, kind: str
) -> list[dict[str, Any]]:
    """The order's tasks of ``kind``, from every page (the stack is shared with the other flows)."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"kind": kind, "limit": 200}
    while True:
        page = await http.get(f"{callcenter}/callbacks", params=params, headers=tokens.headers(Role.supervisor))
        assert page.status_code == 200, page.text
        found += [task for task in page.json()["items"] if task["order_id"] == order]
        if not (cursor := page.json()["next_cursor"]):
            return found
        params["cursor"] = cursor


async def _clock_of(http: httpx.AsyncClient, callcenter: str, tokens: Tokens, task_id: str) -> dict[str, Any]:
    page = await http.get(
        f"{callcenter}/sla/clocks", params={"aggregate_id": task_id}, headers=tokens.headers(Role.supervisor)
    )
    assert page.status_code == 200, page.text
    [clock] = page.json()["items"]
    found: dict[str, Any] = clock
    return found


async def _reminders(http: httpx.AsyncClient, callcenter: str, tokens: Tokens, order: str) -> list[dict[str, Any]]:
    response = await http.get(f"{callcenter}/reminders/orders/{order}", headers=tokens.headers(Role.agent))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def test_a_parcel_signed_for_opens_an_a8_follow_up_in_the_queue(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    returns, callcenter = stack["returns"].url, stack["callcenter"].url
    order, phone, now = _order(), _phone(), datetime.now(UTC)
    async with httpx.AsyncClient(timeout=10) as http:
        await _post_facts(
            http, returns, tokens,
            _placed(order, phone, now - timedelta(days=2)),
            _paid(order, now - timedelta(days=2) + timedelta(minutes=1), 12900),
            {"kind": "shipped", "shop_event_id": f"{order}-shipped", "order_id": order, "courier": "SF",
             "tracking_number": f"SF{order[-8:]}", "occurred_at": (now - timedelta(days=1)).isoformat()},
            {"kind": "signed", "shop_event_id": f"{order}-signed", "order_id": order, "occurred_at": now.isoformat()},
        )  # fmt: skip

        async def follow_up() -> list[dict[str, Any]]:
            return await _tasks_for(http, callcenter, tokens, order, "a8_follow_up")

        [task] = await eventually(follow_up, message="the A8 follow-up opened in callcenter")
        assert (task["source_step"], task["state"], task["phone"], task["customer_id"]) == ("A8", "open", phone, "C-77")
        assert datetime.fromisoformat(task["not_before"]) == now + timedelta(days=3)
        clock = await _clock_of(http, callcenter, tokens, task["id"])
        assert (clock["step"], clock["aggregate_type"], clock["state"]) == ("A8", "a8_follow_up", "running")
        assert clock["due_at"] == task["due_at"]
        # The order was paid at once: it was never reminded.
        assert [r["state"] for r in await _reminders(http, callcenter, tokens, order)] in ([], ["cancelled"])


async def test_an_unpaid_order_is_reminded_and_one_paid_in_time_is_not(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    returns, callcenter = stack["returns"].url, stack["callcenter"].url
    unpaid, paid, now = _order(), _order(), datetime.now(UTC)
    async with httpx.AsyncClient(timeout=10) as http:
        await _post_facts(http, returns, tokens, _placed(unpaid, _phone(), now), _placed(paid, _phone(), now))

        async def scheduled() -> list[dict[str, Any]]:
            found = await _reminders(http, callcenter, tokens, unpaid)
            return found if found and (await _reminders(http, callcenter, tokens, paid)) else []

        [reminder] = await eventually(scheduled, message="both orders' reminders scheduled in callcenter")
        assert (reminder["step"], reminder["channel"], reminder["state"], reminder["sent_at"]) == (
            "B3", "chat", "scheduled", None,
        )  # fmt: skip
        assert datetime.fromisoformat(reminder["due_at"]) <= now + timedelta(hours=1)
        assert datetime.fromisoformat(reminder["send_after"]) > datetime.now(UTC)  # paying now is in time

        await _post_facts(http, returns, tokens, _paid(paid, now + timedelta(minutes=2), 12900))

        async def cancelled() -> list[dict[str, Any]]:
            found = await _reminders(http, callcenter, tokens, paid)
            return found if [r["state"] for r in found] == ["cancelled"] else []

        [gone] = await eventually(cancelled, message="the paid order's reminder cancelled")
        assert (gone["sent_at"], gone["sent_channel"]) == (None, None)
        assert [r["state"] for r in await _reminders(http, callcenter, tokens, unpaid)] == ["scheduled"]


async def test_a_large_unpaid_order_gets_a_phone_task_withdrawn_once_paid(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    returns, callcenter = stack["returns"].url, stack["callcenter"].url
    order, now = _order(), datetime.now(UTC)
    async with httpx.AsyncClient(timeout=10) as http:
        await _post_facts(http, returns, tokens, _placed(order, _phone(), now, unit_minor=LARGE_MINOR // 2))

        async def phone_task() -> list[dict[str, Any]]:
            return await _tasks_for(http, callcenter, tokens, order, "unpaid_phone_reminder")

        [task] = await eventually(phone_task, message="the B5 phone task opened in callcenter")
        assert (task["source_step"], task["state"], task["priority_class"]) == ("B5", "open", "high")
        assert datetime.fromisoformat(task["due_at"]) == now + timedelta(hours=1)
        assert await _reminders(http, callcenter, tokens, order) == []  # a call instead of a chat
        assert (await _clock_of(http, callcenter, tokens, task["id"]))["state"] == "running"

        await _post_facts(http, returns, tokens, _paid(order, now + timedelta(minutes=5), LARGE_MINOR))

        async def withdrawn() -> list[dict[str, Any]]:
            found = await _tasks_for(http, callcenter, tokens, order, "unpaid_phone_reminder")
            return found if [t["state"] for t in found] == ["withdrawn"] else []

        await eventually(withdrawn, message="the B5 task withdrawn once the order was paid")
        clock = await _clock_of(http, callcenter, tokens, task["id"])
        assert (clock["step"], clock["state"], clock["outcome"]) == ("B5", "stopped", "met")
