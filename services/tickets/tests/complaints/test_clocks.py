"""§4's clocks on the business calendar: waiting on the customer pauses them (no warning, no
breach while paused) and resuming recomputes the due time across a holiday and its make-up
day; warnings and breaches fire once with two replicas' schedulers racing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from aftersales_sla import SlaScheduler

from ..kit import clocks_of, events_of, hand_over, message, unique


async def test_waiting_on_the_customer_pauses_the_clocks_across_national_day(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 9, 30, 2, 0, tzinfo=UTC))  # Wednesday 10:00 in Shanghai, the eve of National Day
    record = await hand_over(client, tokens, message("weibo", received_at="2026-09-30T10:00:00+08:00"))
    path, agent = f"/complaints/{record['id']}", tokens.headers(Role.agent, subject="ann")
    # 1 wd from Wednesday 10:00: Thursday 8 October 10:00, after the seven days off.
    assert (await clocks_of(client, tokens, record["id"]))["§4.4"]["due_at"] == "2026-10-08T02:00:00Z"
    clock.advance(timedelta(minutes=30))
    await client.post(f"{path}/assign", json={}, headers=agent)
    clock.advance(timedelta(hours=1))  # 11:30: half an hour of §4.3's 2 h left, 7.5 working h of §4.4's
    waiting = await client.post(f"{path}/wait", json={"reason": "asked for the order number"}, headers=agent)
    assert waiting.status_code == 200, waiting.text
    assert (waiting.json()["state"], waiting.json()["waiting_reason"]) == ("waiting", "asked for the order number")
    clocks = await clocks_of(client, tokens, record["id"])
    assert {step: clocks[step]["status"] for step in ("§4.3", "§4.4")} == {"§4.3": "paused", "§4.4": "paused"}

    clock.set(datetime(2026, 10, 9, 7, 0, tzinfo=UTC))  # Friday 9 October 15:00: long past both old due times
    await app.state.sla_scheduler.tick()
    assert await events_of(app, record["id"], "SlaWarning") == []
    assert await events_of(app, record["id"], "SlaBreached") == []

    resumed = await client.post(f"{path}/resume", json={"reason": "customer sent it"}, headers=agent)
    assert resumed.json()["state"] == "assigned"
    clocks = await clocks_of(client, tokens, record["id"])
    assert clocks["§4.3"]["due_at"] == "2026-10-09T07:30:00Z"  # the half hour left, wall clock
    # 7.5 working h from Friday 15:00: 3 h on Friday, 4.5 h on Saturday 10 October (a make-up
    # working day, 调休) from 09:00: 13:30 in Shanghai.
    assert clocks["§4.4"]["due_at"] == "2026-10-10T05:30:00Z"
    history = (await client.get(f"{path}/history", headers=agent)).json()
    assert [(h["action"], h["actor"], h["reason"]) for h in history[-2:]] == [
        ("wait", "ann", "asked for the order number"),
        ("resume", "ann", "customer sent it"),
    ]

    clock.set(datetime(2026, 10, 9, 8, 0, tzinfo=UTC))
    await app.state.sla_scheduler.tick()
    await app.state.sla_scheduler.tick()
    assert [e["step"] for e in await events_of(app, record["id"], "SlaBreached")] == ["§4.3"]


async def test_two_replicas_racing_fire_each_warning_and_breach_once(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    ids = [
        (await hand_over(client, tokens, message("shop_chat", sender={"handle": unique("h")})))["id"] for _ in range(12)
    ]
    clock.advance(timedelta(hours=3))  # §4.2 (1 h) and §4.3 (2 h) both past due
    replicas = [
        SlaScheduler(
            service="tickets",
            sessionmaker=app.state.db.sessionmaker,
            calendar=app.state.calendar_provider.current,
            clock=clock,
            batch_size=5,
        )
        for _ in range(2)
    ]
    await asyncio.gather(*(replica.tick() for replica in replicas * 2))
    for complaint_id in ids:
        assert sorted(e["step"] for e in await events_of(app, complaint_id, "SlaWarning")) == ["§4.2", "§4.3"]
        assert sorted(e["step"] for e in await events_of(app, complaint_id, "SlaBreached")) == ["§4.2", "§4.3"]
