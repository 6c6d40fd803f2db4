"""The case's clocks on the scheduler: a late C2 warns, then breaches once, and is stopped as
breached; a met step is met; the 30 wd cycle runs beside them until the case ends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import open_case, outbox, post, upload


async def _clocks(client: httpx.AsyncClient, tokens: Tokens, cid: str, **params: str) -> dict[str, dict[str, Any]]:
    page = await client.get(
        "/sla/clocks", params={"aggregate_id": cid, **params}, headers=tokens.headers(Role.supervisor)
    )
    return {c["step"]: c for c in page.json()["items"]}


async def test_a_late_warehouse_warns_and_breaches_once(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, tickets_db: str
) -> None:
    case = await open_case(client, tokens, "C")
    cid = case["id"]
    await upload(client, tokens.headers(Role.agent), cid)
    clock.advance(timedelta(hours=3))
    await post(client, f"/cases/{cid}/investigation", tokens.headers(Role.agent))
    assert (await _clocks(client, tokens, cid))["C1"]["outcome"] == "met"

    clock.advance(timedelta(hours=21))  # inside C2's 4 h warning
    await app.state.sla_scheduler.tick()
    assert (await _clocks(client, tokens, cid))["C2"]["status"] == "at_risk"
    clock.advance(timedelta(hours=3, minutes=1))  # C2's 24 h are over
    await app.state.sla_scheduler.tick()
    await app.state.sla_scheduler.tick()  # a second tick (another replica's) announces nothing again
    assert set(await _clocks(client, tokens, cid, status="breached")) == {"C2"}
    names = [name for name, _ in await outbox(tickets_db, cid)]
    assert (names.count("SlaWarning"), names.count("SlaBreached")) == (1, 1)

    finding = {"shipped_right_proven": False, "finding": "late, but no video"}
    await post(client, f"/cases/{cid}/warehouse-finding", tokens.headers(Role.warehouse, subject="wu"), finding)
    clocks = await _clocks(client, tokens, cid)
    assert (clocks["C2"]["outcome"], clocks["C2"]["stopped_by"]) == ("breached", "wu")
    assert clocks["§3"]["state"] == "running"  # the cycle runs on to the remedy
    assert [name for name, _ in await outbox(tickets_db, cid)].count("SlaBreached") == 1


async def test_the_same_request_twice_opens_one_case(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {"kind": "K", "order_id": "TB-IDEMPOTENT-1", "customer_id": "C-1", "summary": "parcel lost"}
    headers = {**tokens.headers(Role.agent, subject="ann"), "Idempotency-Key": "case-open-idem-1"}
    first = await client.post("/cases", json=body, headers=headers)
    again = await client.post("/cases", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    listed = await client.get("/cases", params={"order_id": "TB-IDEMPOTENT-1"}, headers=tokens.headers(Role.agent))
    assert len(listed.json()["items"]) == 1
