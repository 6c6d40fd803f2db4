"""Refund requests (退款申请): T1 starts at intake and routes on the order's status (unpaid →
closed, paid → a cancellation with T1B1, shipped → T1A1); filing the return stops T1A1;
roles both ways; illegal transitions 409; a late T1 breaches once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import Tokens

from ..kit import known_order, new_return_body


async def _open(client: httpx.AsyncClient, tokens: Tokens, order_id: str, *roles: Role, **kw: Any) -> httpx.Response:
    body = {"order_id": order_id, "reason": "no longer needed", "channel": "wangwang"}
    return await client.post("/refund-requests", json=body, headers=tokens.headers(*(roles or (Role.agent,)), **kw))


async def _opened(client: httpx.AsyncClient, tokens: Tokens, **order: bool) -> dict[str, Any]:
    response = await _open(client, tokens, await known_order(client, tokens, **order))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _route(client: httpx.AsyncClient, tokens: Tokens, request_id: str, role: Role = Role.agent) -> httpx.Response:
    return await client.post(f"/refund-requests/{request_id}/route", json={}, headers=tokens.headers(role))


async def _clocks(client: httpx.AsyncClient, tokens: Tokens, aggregate_id: str, **params: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/sla/clocks", params={"aggregate_id": aggregate_id, **params}, headers=tokens.headers(Role.supervisor)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _breach_events(database_url: str, aggregate_id: str) -> int:
    engine = create_async_engine(asyncpg_url(database_url))
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(
                text("SELECT count(*) FROM outbox WHERE message_key = :key AND event_type LIKE '%.SlaBreached.%'"),
                {"key": aggregate_id},
            )
            return int(count or 0)
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.agent, 201), (Role.supervisor, 201), (Role.service, 201), (Role.warehouse, 403), (Role.finance, 403)],
)
async def test_who_may_open_a_request(client: httpx.AsyncClient, tokens: Tokens, role: Role, status: int) -> None:
    response = await _open(client, tokens, await known_order(client, tokens), role)
    assert response.status_code == status, response.text


@pytest.mark.parametrize(("role", "status"), [(Role.warehouse, 403), (Role.customer, 403), (Role.agent, 200)])
async def test_who_may_route_a_request(client: httpx.AsyncClient, tokens: Tokens, role: Role, status: int) -> None:
    created = await _opened(client, tokens)
    response = await _route(client, tokens, created["id"], role)
    assert response.status_code == status, response.text


async def test_a_customer_opens_and_withdraws_only_for_their_own_order(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = await known_order(client, tokens)  # placed by customer C-42
    stranger = await _open(client, tokens, order, Role.customer, subject="C-99")
    assert stranger.status_code == 403
    assert stranger.json()["rule"] == "T1.own-order"
    own = await _open(client, tokens, order, Role.customer, subject="C-42")
    assert own.status_code == 201, own.text
    assert own.json()["created_by"] == "C-42"
    assert own.headers["location"] == f"/refund-requests/{own.json()['id']}"
    withdraw = f"/refund-requests/{own.json()['id']}/withdraw"
    body = {"reason": "changed my mind"}
    assert (
        await client.post(withdraw, json=body, headers=tokens.headers(Role.customer, subject="C-99"))
    ).status_code == 403
    mine = await client.post(withdraw, json=body, headers=tokens.headers(Role.customer, subject="C-42"))
    assert mine.status_code == 200, mine.text
    assert mine.json()["state"] == "withdrawn"


async def test_unknown_order_is_refused_and_one_request_in_progress_per_order(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    unknown = await _open(client, tokens, f"TB-unknown-{uuid.uuid4().hex[:8]}")
    assert unknown.status_code == 422
    assert unknown.json()["rule"] == "T1.order-known"
    order = await known_order(client, tokens)
    first = await _open(client, tokens, order)
    assert first.status_code == 201
    second = await _open(client, tokens, order)
    assert second.status_code == 409
    assert second.json()["id"] == first.json()["id"]


async def test_t1_clock_starts_at_intake(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock) -> None:
    created = await _opened(client, tokens)
    assert created["state"] == "open"
    assert created["allowed_actions"] == ["route", "withdraw"]
    [t1] = await _clocks(client, tokens, created["id"])
    assert t1["step"] == "T1"
    assert t1["status"] == "open"
    assert t1["duration"] == "24 h"
    assert _at(t1["due_at"]) == _at(created["created_at"]) + timedelta(hours=24)


async def test_unpaid_order_is_closed(client: httpx.AsyncClient, tokens: Tokens) -> None:
    created = await _opened(client, tokens, shipped=False, paid=False)
    routed = await _route(client, tokens, created["id"])
    assert routed.status_code == 200, routed.text
    body = routed.json()
    assert (body["state"], body["order_status"], body["allowed_actions"]) == ("closed", "placed", [])
    assert body["closed_by"] == body["routed_by"] == "test-agent"
    cancellation = await client.get(f"/cancellations/{body['cancellation_id']}", headers=tokens.headers(Role.agent))
    assert cancellation.json()["state"] == "closed_unpaid"
    assert [(c["step"], c["outcome"]) for c in await _clocks(client, tokens, created["id"])] == [("T1", "met")]
    assert await _clocks(client, tokens, body["cancellation_id"]) == []


async def test_paid_unshipped_order_becomes_a_cancellation_and_t1b1_starts(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    created = await _opened(client, tokens, shipped=False)
    body = (await _route(client, tokens, created["id"])).json()
    assert (body["state"], body["order_status"]) == ("cancellation", "paid")
    cid = body["cancellation_id"]
    cancellation = (await client.get(f"/cancellations/{cid}", headers=tokens.headers(Role.agent))).json()
    assert (cancellation["state"], cancellation["order_id"], cancellation["reason"]) == (
        "awaiting_warehouse", created["order_id"], "no longer needed")  # fmt: skip
    [t1b1] = await _clocks(client, tokens, cid)
    assert (t1b1["step"], t1b1["status"]) == ("T1B1", "open")
    assert [(c["step"], c["outcome"]) for c in await _clocks(client, tokens, created["id"])] == [("T1", "met")]
    # The cancellation goes on as before: the warehouse confirms, T1B1 stops.
    confirmed = await client.post(f"/cancellations/{cid}/confirm", json={"customer_note": "cancelled"},
                                  headers=tokens.headers(Role.warehouse))  # fmt: skip
    assert confirmed.status_code == 200


async def test_shipped_order_negotiates_then_filing_the_return_stops_t1a1(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    created = await _opened(client, tokens)
    rid = created["id"]
    body = (await _route(client, tokens, rid)).json()
    assert (body["state"], body["order_status"], body["allowed_actions"]) == (
        "negotiating", "shipped", ["agree", "file", "withdraw"])  # fmt: skip
    assert body["cancellation_id"] is None
    [t1a1] = await _clocks(client, tokens, rid, status="open")
    assert (t1a1["step"], t1a1["duration"]) == ("T1A1", "24 h")
    assert _at(t1a1["due_at"]) == _at(body["routed_at"]) + timedelta(hours=24)

    filed = await client.post(
        "/returns", json=new_return_body(created["order_id"], refund_request_id=rid), headers=tokens.headers(Role.agent)
    )
    assert filed.status_code == 201, filed.text
    after = (await client.get(f"/refund-requests/{rid}", headers=tokens.headers(Role.agent))).json()
    assert (after["state"], after["return_id"], after["closed_by"]) == ("filed", filed.json()["id"], "test-agent")
    outcomes = {c["step"]: c["outcome"] for c in await _clocks(client, tokens, rid)}
    assert outcomes == {"T1": "met", "T1A1": "met"}
    [t1a3] = await _clocks(client, tokens, filed.json()["id"])
    assert t1a3["step"] == "T1A3"  # the return goes on as before
    history = (await client.get(f"/refund-requests/{rid}/history", headers=tokens.headers(Role.supervisor))).json()
    assert [(h["action"], h["step"], h["from_state"], h["to_state"], h["actor"]) for h in history] == [
        ("open", "T1", None, "open", "test-agent"),
        ("route", "T1", "open", "negotiating", "test-agent"),
        ("file", "T1A2", "negotiating", "filed", "test-agent"),
    ]


async def test_a_return_filed_without_the_id_files_the_orders_negotiating_request(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    created = await _opened(client, tokens)
    rid = created["id"]
    assert (await _route(client, tokens, rid)).json()["state"] == "negotiating"
    filer = tokens.headers(Role.agent, subject="agent-filer")
    filed = await client.post("/returns", json=new_return_body(created["order_id"]), headers=filer)
    assert filed.status_code == 201, filed.text
    after = (await client.get(f"/refund-requests/{rid}", headers=tokens.headers(Role.agent))).json()
    assert (after["state"], after["return_id"], after["closed_by"]) == ("filed", filed.json()["id"], "agent-filer")
    assert after["allowed_actions"] == []
    clocks = {c["step"]: (c["outcome"], c["stopped_by"]) for c in await _clocks(client, tokens, rid)}
    assert clocks == {"T1": ("met", "test-agent"), "T1A1": ("met", "agent-filer")}
    history = (await client.get(f"/refund-requests/{rid}/history", headers=tokens.headers(Role.supervisor))).json()
    assert [(h["action"], h["step"], h["from_state"], h["to_state"], h["actor"]) for h in history][-1] == (
        "file", "T1A2", "negotiating", "filed", "agent-filer")  # fmt: skip
    assert history[-1]["reason"] == f"return {filed.json()['id']}"


async def test_a_return_filed_without_a_negotiating_request_files_none(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    headers = tokens.headers(Role.agent)
    # No request at all for the order: the return is filed as before.
    alone = await client.post("/returns", json=new_return_body(await known_order(client, tokens)), headers=headers)
    assert alone.status_code == 201, alone.text
    # A request not routed yet (`open`, T1 running) is left as it is.
    created = await _opened(client, tokens)
    rid = created["id"]
    filed = await client.post("/returns", json=new_return_body(created["order_id"]), headers=headers)
    assert filed.status_code == 201, filed.text
    after = (await client.get(f"/refund-requests/{rid}", headers=headers)).json()
    assert (after["state"], after["return_id"], after["closed_by"]) == ("open", None, None)
    assert [(c["step"], c["status"]) for c in await _clocks(client, tokens, rid)] == [("T1", "open")]
    history = (await client.get(f"/refund-requests/{rid}/history", headers=headers)).json()
    assert [h["action"] for h in history] == ["open"]


async def test_illegal_transitions_are_409_with_the_allowed_actions(client: httpx.AsyncClient, tokens: Tokens) -> None:
    created = await _opened(client, tokens)
    rid, order = created["id"], created["order_id"]
    # Filing before T1 routed it: 409, and no return is created.
    early = await client.post(
        "/returns", json=new_return_body(order, refund_request_id=rid), headers=tokens.headers(Role.agent)
    )
    assert early.status_code == 409, early.text
    assert (early.json()["action"], early.json()["current_state"], early.json()["allowed_actions"]) == (
        "file", "open", ["route", "withdraw"])  # fmt: skip
    listed = await client.get("/returns", params={"order_id": order}, headers=tokens.headers(Role.agent))
    assert listed.json()["items"] == []

    await _route(client, tokens, rid)
    again = await _route(client, tokens, rid)
    assert again.status_code == 409
    problem = again.json()
    assert problem["status"] == 409
    assert (problem["action"], problem["current_state"], problem["allowed_actions"]) == (
        "route", "negotiating", ["agree", "file", "withdraw"])  # fmt: skip

    other_order = await known_order(client, tokens)
    wrong = await client.post(
        "/returns", json=new_return_body(other_order, refund_request_id=rid), headers=tokens.headers(Role.agent)
    )
    assert wrong.status_code == 422
    assert wrong.json()["rule"] == "T1A2.refund-request-same-order"
    missing = await client.post(
        "/returns", json=new_return_body(order, refund_request_id=str(uuid.uuid4())), headers=tokens.headers(Role.agent)
    )
    assert missing.json()["rule"] == "T1A2.refund-request-known"

    withdrawn = await client.post(f"/refund-requests/{rid}/withdraw", json={"reason": "no agreement"},
                                  headers=tokens.headers(Role.agent))  # fmt: skip
    assert withdrawn.json()["state"] == "withdrawn"
    assert {c["step"]: c["outcome"] for c in await _clocks(client, tokens, rid)} == {"T1": "met", "T1A1": "met"}
    twice = await client.post(f"/refund-requests/{rid}/withdraw", json={"reason": "again"},
                              headers=tokens.headers(Role.agent))  # fmt: skip
    assert twice.status_code == 409
    assert (twice.json()["current_state"], twice.json()["allowed_actions"]) == ("withdrawn", [])
    # Withdrawn, the order may get a new request.
    assert (await _open(client, tokens, order)).status_code == 201


async def test_list_filters_by_state_and_order_and_pages(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order = await known_order(client, tokens)
    first = (await _open(client, tokens, order)).json()
    await client.post(f"/refund-requests/{first['id']}/withdraw", json={"reason": "no"},
                      headers=tokens.headers(Role.agent))  # fmt: skip
    clock.advance(timedelta(seconds=1))  # else both have the same created_at, and the random id orders them
    second = (await _open(client, tokens, order)).json()
    headers = tokens.headers(Role.supervisor)
    page = (await client.get("/refund-requests", params={"order_id": order, "limit": 1}, headers=headers)).json()
    assert [r["id"] for r in page["items"]] == [first["id"]]
    rest = await client.get(
        "/refund-requests", params={"order_id": order, "limit": 1, "cursor": page["next_cursor"]}, headers=headers
    )
    assert [r["id"] for r in rest.json()["items"]] == [second["id"]]
    assert rest.json()["next_cursor"] is None
    opened = await client.get("/refund-requests", params={"order_id": order, "state": "open"}, headers=headers)
    assert [r["id"] for r in opened.json()["items"]] == [second["id"]]
    assert (await client.get("/refund-requests", headers=tokens.headers(Role.customer))).status_code == 403


async def test_a_late_t1_breaches_exactly_once(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, returns_db: str
) -> None:
    created = await _opened(client, tokens)
    rid = created["id"]
    clock.advance(timedelta(hours=21))  # inside the 4 h warning
    await app.state.sla_scheduler.tick()
    assert [c["status"] for c in await _clocks(client, tokens, rid)] == ["at_risk"]
    clock.advance(timedelta(hours=3, minutes=1))
    await app.state.sla_scheduler.tick()
    await app.state.sla_scheduler.tick()
    [breached] = await _clocks(client, tokens, rid, status="breached")
    assert breached["step"] == "T1"
    routed = await _route(client, tokens, rid)  # late, but routed: the stop does not announce it again
    assert routed.status_code == 200
    [stopped] = await _clocks(client, tokens, rid, step="T1")
    assert (stopped["outcome"], stopped["stopped_by"]) == ("breached", "test-agent")
    await app.state.sla_scheduler.tick()
    assert await _breach_events(returns_db, rid) == 1
