"""The returns flow's SLAs: T1A3 (24 h), T1A5 (24 h), T2A (48 h) on the business calendar.
A late approval produces exactly one SlaBreached, which reaches the real broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_events.testing import envelope_fields

from .kit import open_return

MONDAY_10AM = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 Asia/Shanghai


async def _clocks(client: httpx.AsyncClient, tokens: Tokens, rid: str, **params: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/sla/clocks", params={"aggregate_id": rid, **params}, headers=tokens.headers(Role.supervisor)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _breaches_on_broker(kafka_bootstrap: str, rid: str, *, expect: int) -> int:
    consumer = AIOKafkaConsumer(
        "returns.events", bootstrap_servers=kafka_bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: set[str] = set()

    async def read(timeout_ms: int = 200) -> bool:
        for records in (await consumer.getmany(timeout_ms=timeout_ms)).values():
            for record in records:
                envelope = envelope_fields(record)
                if envelope.get("type", "").endswith(".SlaBreached.v1") and envelope.get("subject") == rid:
                    found.add(envelope["id"])
        return len(found) >= expect

    try:
        await eventually(read, timeout=20, interval=0, message=f"{expect} SlaBreached of {rid} on the broker")
        await read(500)  # keep reading briefly: a duplicate would show up right behind
    finally:
        await consumer.stop()
    return len(found)


async def test_late_supervisor_review_breaches_once_end_to_end(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, kafka_bootstrap: str
) -> None:
    clock.set(MONDAY_10AM)
    rid = (await open_return(client, tokens))["id"]
    [t1a3] = await _clocks(client, tokens, rid)
    assert t1a3["step"] == "T1A3"
    assert t1a3["duration"] == "24 h"
    assert t1a3["status"] == "open"
    assert t1a3["due_at"] == "2026-12-01T02:00:00Z"  # Tuesday 10:00: 24 h (1 wd is never earlier)

    clock.set(MONDAY_10AM + timedelta(hours=23))  # Tuesday 09:00 local: inside the 4 h warning
    await app.state.sla_scheduler.tick()
    assert [c["status"] for c in await _clocks(client, tokens, rid)] == ["at_risk"]

    clock.set(MONDAY_10AM + timedelta(days=1, minutes=1))
    result = await app.state.sla_scheduler.tick()
    assert result.breached >= 1
    assert [c["step"] for c in await _clocks(client, tokens, rid, status="breached")] == ["T1A3"]

    approved = await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    assert approved.status_code == 200
    [stopped] = await _clocks(client, tokens, rid, step="T1A3")
    assert stopped["outcome"] == "breached"
    assert stopped["stopped_by"] == "test-supervisor"
    await app.state.sla_scheduler.tick()
    assert await _breaches_on_broker(kafka_bootstrap, rid, expect=1) == 1


async def test_arrival_receipt_and_refund_run_their_clocks(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(MONDAY_10AM)
    rid = (await open_return(client, tokens))["id"]
    await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    arrived = await client.post(f"/returns/{rid}/arrival", headers=tokens.headers(Role.warehouse))
    assert arrived.status_code == 200, arrived.text
    [t1a5] = await _clocks(client, tokens, rid, step="T1A5", status="open")
    assert t1a5["due_at"] == "2026-12-01T02:00:00Z"  # 24 h wall clock
    clock.advance(timedelta(hours=3))
    await client.post(f"/returns/{rid}/receipt", json={}, headers=tokens.headers(Role.warehouse))
    [t2a] = await _clocks(client, tokens, rid, step="T2A", status="open")
    assert t2a["due_at"] == "2026-12-02T05:00:00Z"  # 48 h after receipt
    clock.advance(timedelta(hours=47))
    refunded = await client.post(
        f"/returns/{rid}/refund", json={"amount_minor": 100}, headers=tokens.headers(Role.supervisor)
    )
    assert refunded.status_code == 200
    outcomes = {c["step"]: c["outcome"] for c in await _clocks(client, tokens, rid, status="met")}
    assert outcomes == {"T1A3": "met", "T1A4": "met", "T1A5": "met", "T2A": "met", "T2": "met"}


async def test_policies_and_clocks_need_a_staff_role(client: httpx.AsyncClient, tokens: Tokens) -> None:
    policies = await client.get("/sla/policies", headers=tokens.headers(Role.agent))
    steps = [p["step"] for p in policies.json()]
    assert [s for s in steps if s.startswith("T")] == [
        "T1",
        "T1A1",
        "T1A2",
        "T1A3",
        "T1A4",
        "T1A5",
        "T2A",
        "T2",
        "T1B3",
        "T1B1",
        "T1B2",
    ]
    assert (await client.get("/sla/clocks", headers=tokens.headers(Role.customer))).status_code == 403
    assert (await client.get("/sla/clocks")).status_code == 401
