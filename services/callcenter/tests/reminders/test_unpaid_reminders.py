"""B: a reminder within 1 h of an unpaid order, by chat, SMS in campaigns (never in quiet
hours, never after an opt-out) or a phone task for large amounts; checked against payment
when scheduled and at send time; once per (order, step)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_events.catalogue import orders
from aftersales_sla import SlaClocks
from callcenter_service.reminders.messaging import FakeMessaging
from callcenter_service.reminders.service import ReminderService
from callcenter_service.settings import CampaignPeriod
from callcenter_service.sla import POLICIES

from ..callbacks.kit import phone
from ..orders.kit import deliver, order_id, paid, placed


async def _send_due(app: FastAPI, database: Database, clock: ManualClock) -> int:
    async with database.sessionmaker() as session, session.begin():
        calendar = await app.state.calendar_provider.current(session)
        sla = SlaClocks(session, calendar, POLICIES, clock.now())
        return await ReminderService(session, clock, sla, app.state.settings).send_due(app.state.messaging)


async def _reminders(client: httpx.AsyncClient, tokens: Tokens, order: str) -> list[dict[str, Any]]:
    response = await client.get(f"/reminders/orders/{order}", headers=tokens.headers(Role.agent))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def _sent_to(app: FastAPI, order: str) -> list[Any]:
    messaging: FakeMessaging = app.state.messaging
    return [m for m in messaging.sent if m.key.startswith(f"{order}:")]


@pytest.fixture
def campaign(app: FastAPI) -> Iterator[None]:
    """An SMS campaign all of 2026-11-24 (Shanghai), for one test."""
    settings = app.state.settings
    before = settings.sms_campaigns
    settings.sms_campaigns = [CampaignPeriod(starts_at=datetime(2026, 11, 23, 16, tzinfo=UTC),
                                             ends_at=datetime(2026, 11, 24, 16, tzinfo=UTC))]  # fmt: skip
    yield
    settings.sms_campaigns = before


async def test_an_unpaid_order_gets_one_chat_reminder_within_the_hour(
    app: FastAPI, runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database,
    clock: ManualClock,
) -> None:  # fmt: skip
    order = order_id()
    await deliver(runner, placed(order, phone(), clock.now()))
    await deliver(runner, placed(order, phone(), clock.now()))  # resent by the order system
    [reminder] = await _reminders(client, tokens, order)
    assert (reminder["step"], reminder["channel"], reminder["state"]) == ("B3", "chat", "scheduled")
    assert datetime.fromisoformat(reminder["due_at"]) == clock.now() + timedelta(hours=1)
    await _send_due(app, database, clock)
    assert _sent_to(app, order) == []  # not before its time (30 min)
    clock.advance(timedelta(minutes=30))
    await _send_due(app, database, clock)
    await _send_due(app, database, clock)
    [message] = _sent_to(app, order)
    assert (message.channel, message.category) == ("chat", "service")
    assert order in message.text
    [reminder] = await _reminders(client, tokens, order)
    assert (reminder["state"], reminder["sent_channel"]) == ("sent", "chat")


async def test_paid_in_time_or_cancelled_no_reminder_and_paid_first_none_scheduled(
    app: FastAPI, runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database,
    clock: ManualClock,
) -> None:  # fmt: skip
    order, early = order_id(), order_id()
    await deliver(runner, placed(order, phone(), clock.now()))
    clock.advance(timedelta(minutes=10))
    await deliver(runner, paid(order, clock.now()))
    clock.advance(timedelta(minutes=30))
    await _send_due(app, database, clock)
    assert _sent_to(app, order) == []
    assert [r["state"] for r in await _reminders(client, tokens, order)] == ["cancelled"]
    await deliver(runner, paid(early, clock.now()), placed(early, phone(), clock.now()))  # out of order
    assert await _reminders(client, tokens, early) == []
    dropped = order_id()
    await deliver(runner, placed(dropped, phone(), clock.now()))
    await deliver(runner, orders.OrderCancelled(order_id=dropped, shop_event_id="x", occurred_at=clock.now()))
    assert [r["state"] for r in await _reminders(client, tokens, dropped)] == ["cancelled"]


async def test_a_large_order_gets_a_phone_task_withdrawn_when_paid(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order = order_id()
    await deliver(runner, placed(order, phone(), clock.now(), total_minor=100_000))  # at the threshold
    listed = await client.get("/callbacks", params={"kind": "unpaid_phone_reminder", "limit": 200},
                              headers=tokens.headers(Role.supervisor))  # fmt: skip
    [task] = [t for t in listed.json()["items"] if t["order_id"] == order]
    assert (task["source_step"], task["priority_class"]) == ("B5", "high")
    assert datetime.fromisoformat(task["due_at"]) == clock.now() + timedelta(hours=1)
    assert await _reminders(client, tokens, order) == []  # no chat or SMS besides
    below = order_id()
    await deliver(runner, placed(below, phone(), clock.now(), total_minor=99_999))
    assert [r["step"] for r in await _reminders(client, tokens, below)] == ["B3"]
    await deliver(runner, paid(order, clock.now()))
    got = (await client.get(f"/callbacks/{task['id']}", headers=tokens.headers(Role.agent))).json()
    assert got["state"] == "withdrawn"


@pytest.mark.usefixtures("campaign")
async def test_sms_in_campaigns_but_chat_in_quiet_hours_and_after_an_opt_out(
    app: FastAPI, runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database,
    clock: ManualClock,
) -> None:  # fmt: skip
    daytime, opted_out_phone, opted_out = order_id(), phone(), order_id()
    await deliver(runner, placed(daytime, phone(), clock.now()), placed(opted_out, opted_out_phone, clock.now()))
    assert [r["step"] for r in await _reminders(client, tokens, daytime)] == ["B4"]
    made = await client.post("/reminders/sms-opt-outs", json={"phone": opted_out_phone},
                             headers=tokens.headers(Role.service))  # fmt: skip
    assert made.status_code == 204
    clock.advance(timedelta(minutes=30))
    await _send_due(app, database, clock)
    assert [m.channel for m in _sent_to(app, daytime)] == ["sms"]
    assert [m.channel for m in _sent_to(app, opted_out)] == ["chat"]

    evening = order_id()
    clock.set(datetime(2026, 11, 24, 12, 45, tzinfo=UTC))  # 20:45 Shanghai; sent at 21:15, in quiet hours
    await deliver(runner, placed(evening, phone(), clock.now()))
    clock.advance(timedelta(minutes=30))
    await _send_due(app, database, clock)
    [message] = _sent_to(app, evening)
    assert message.channel == "chat"
    assert [(r["step"], r["sent_channel"]) for r in await _reminders(client, tokens, evening)] == [("B4", "chat")]


async def test_scripts_are_kept_by_a_supervisor_and_used(
    app: FastAPI, runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database,
    clock: ManualClock,
) -> None:  # fmt: skip
    body = {"text": "Hi! Order {order_id} still needs paying."}
    assert (
        await client.put("/reminders/scripts/chat", json=body, headers=tokens.headers(Role.agent))
    ).status_code == 403
    kept = await client.put(
        "/reminders/scripts/chat", json=body, headers=tokens.headers(Role.supervisor, subject="sam")
    )
    assert (kept.status_code, kept.json()["updated_by"]) == (200, "sam")
    assert (
        await client.put("/reminders/scripts/fax", json=body, headers=tokens.headers(Role.supervisor))
    ).status_code == 422
    order = order_id()
    await deliver(runner, placed(order, phone(), clock.now()))
    clock.advance(timedelta(minutes=31))
    await _send_due(app, database, clock)
    [message] = _sent_to(app, order)
    assert message.text == f"Hi! Order {order} still needs paying."


async def test_an_impulse_order_may_be_closed_instead(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order = order_id()
    await deliver(runner, placed(order, phone(), clock.now()))
    body = {"reason": "impulse order"}
    path = f"/reminders/orders/{order}/close"
    assert (await client.post(path, json=body, headers=tokens.headers(Role.customer))).status_code == 403
    closed = await client.post(path, json=body, headers=tokens.headers(Role.agent))
    assert (closed.status_code, closed.json()["state"]) == (200, "closed")
    assert (await client.post(path, json=body, headers=tokens.headers(Role.agent))).status_code == 404


async def test_the_sender_is_a_fixed_time_job(
    app: FastAPI, runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 10, 20, 2, 2, tzinfo=UTC))  # a morning no other test runs the sender at
    await app.state.sla_scheduler.tick()
    order = order_id()
    await deliver(runner, placed(order, phone(), clock.now()))
    clock.advance(timedelta(minutes=34))  # 10:36: the 10:35 run sends it
    await app.state.sla_scheduler.tick()
    assert [r["state"] for r in await _reminders(client, tokens, order)] == ["sent"]
