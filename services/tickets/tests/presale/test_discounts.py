"""A5 discount authority (§1, §10): an agent grants up to 2000 fen per order, all grants together;
above it the discount waits for a supervisor who is not the requester; every granted discount is
a DiscountApproved event; two concurrent grants cannot both pass the cap (real PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from ..kit import events_of, unique

ANN, BEN = {"subject": "ann"}, {"subject": "ben"}
SAM, SUE = {"subject": "sam"}, {"subject": "sue"}


async def _grant(
    client: httpx.AsyncClient, tokens: Tokens, order: str, amount: Any, role: Role = Role.agent, **who: str
) -> httpx.Response:
    body = {"order_id": order, "amount_minor": amount, "reason": "negotiated"}
    return await client.post("/discounts", json=body, headers=tokens.headers(role, **(who or ANN)))


async def test_at_the_limit_the_agent_grants_alone_one_fen_above_it_waits(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = unique("TB")
    at_limit = await _grant(client, tokens, order, 2000)
    assert at_limit.status_code == 201, at_limit.text
    out = at_limit.json()
    assert (out["state"], out["decided_by"], out["agent_limit_minor"], out["granted_before_minor"]) == (
        "granted", "ann", 2000, 0,
    )  # fmt: skip
    [event] = await events_of(app, order, "DiscountApproved")
    assert (event["amount_minor"], event["authority"], event["approved_by"], event["order_discounts_minor"]) == (
        2000, "agent", "ann", 2000,
    )  # fmt: skip

    above = await _grant(client, tokens, unique("TB"), 2001)
    assert (above.status_code, above.json()["state"], above.json()["decided_by"]) == (201, "pending", None)
    assert above.json()["allowed_actions"] == ["approve", "reject"]


async def test_grants_add_up_per_order(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order = unique("TB")
    assert (await _grant(client, tokens, order, 1500)).json()["state"] == "granted"
    clock.advance(timedelta(minutes=1))
    second = (await _grant(client, tokens, order, 500, **BEN)).json()
    assert (second["state"], second["granted_before_minor"]) == ("granted", 1500)
    clock.advance(timedelta(minutes=1))
    third = await _grant(client, tokens, order, 1)  # 2001 in all: a supervisor's
    assert third.json()["state"] == "pending"
    other_order = await _grant(client, tokens, unique("TB"), 1)  # per order: another order starts at 0
    assert other_order.json()["state"] == "granted"
    assert [e["amount_minor"] for e in await events_of(app, order, "DiscountApproved")] == [1500, 500]
    listed = await client.get("/discounts", params={"order_id": order}, headers=tokens.headers(Role.supervisor))
    assert [(d["amount_minor"], d["state"]) for d in listed.json()["items"]] == [
        (1500, "granted"), (500, "granted"), (1, "pending"),
    ]  # fmt: skip


async def test_above_the_limit_a_supervisor_other_than_the_requester_approves(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = unique("TB")
    # a supervisor asking above the limit waits for another supervisor, like an agent
    pending = (await _grant(client, tokens, order, 2500, Role.supervisor, **SAM)).json()
    assert pending["state"] == "pending"
    path = f"/discounts/{pending['id']}"
    own = await client.post(f"{path}/approve", json={}, headers=tokens.headers(Role.supervisor, **SAM))
    assert (own.status_code, own.json()["rule"]) == (403, "A5.approver-not-requester")
    assert own.headers["content-type"].startswith("application/problem+json")
    agent = await client.post(f"{path}/approve", json={}, headers=tokens.headers(Role.agent, **BEN))
    assert agent.status_code == 403
    assert await events_of(app, order, "DiscountApproved") == []
    approved = await client.post(
        f"{path}/approve", json={"note": "bulk order"}, headers=tokens.headers(Role.supervisor, **SUE)
    )
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["decided_by"], approved.json()["decision_note"]) == (
        "approved", "sue", "bulk order",
    )  # fmt: skip
    [event] = await events_of(app, order, "DiscountApproved")
    assert (event["authority"], event["requested_by"], event["approved_by"], event["amount_minor"]) == (
        "supervisor", "sam", "sue", 2500,
    )  # fmt: skip
    twice = await client.post(f"{path}/approve", json={}, headers=tokens.headers(Role.supervisor, **SUE))
    assert (twice.status_code, twice.json()["current_state"]) == (409, "approved")
    # above the limit already: every later grant on the order waits for a supervisor
    assert (await _grant(client, tokens, order, 1)).json()["state"] == "pending"
    history = await client.get(f"{path}/history", headers=tokens.headers(Role.agent))
    assert [(h["action"], h["step"], h["actor"]) for h in history.json()] == [
        ("open", "A5", "sam"), ("approve", "A5", "sue"),
    ]  # fmt: skip


async def test_a_rejected_discount_is_not_granted_and_not_published(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = unique("TB")
    pending = (await _grant(client, tokens, order, 3000)).json()
    own = await client.post(f"/discounts/{pending['id']}/reject", json={}, headers=tokens.headers(Role.agent, **ANN))
    assert own.status_code == 403
    rejected = await client.post(f"/discounts/{pending['id']}/reject", json={"note": "too much"},
                                 headers=tokens.headers(Role.supervisor, **SAM))  # fmt: skip
    assert (rejected.status_code, rejected.json()["state"]) == (200, "rejected")
    assert (await _grant(client, tokens, order, 2000)).json()["state"] == "granted"  # nothing was added
    assert [e["amount_minor"] for e in await events_of(app, order, "DiscountApproved")] == [2000]


async def test_two_concurrent_grants_cannot_both_pass_the_cap(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    """The order has 100 granted; each of two grants of 1000 fits alone, not both: sent at the same
    moment, one waits for the other's lock on the order's total row and then finds it taken, so it
    waits for a supervisor. (The row exists before: a first grant's insert of it would serialise
    them by itself.)"""
    for _ in range(4):
        order = unique("TB")
        assert (await _grant(client, tokens, order, 100)).json()["state"] == "granted"
        answers = await asyncio.gather(
            _grant(client, tokens, order, 1000, **ANN), _grant(client, tokens, order, 1000, **BEN)
        )
        assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
        assert sorted(a.json()["state"] for a in answers) == ["granted", "pending"]
        assert [e["amount_minor"] for e in await events_of(app, order, "DiscountApproved")] == [100, 1000]
        granted = next(a.json() for a in answers if a.json()["state"] == "granted")
        assert granted["granted_before_minor"] == 100


async def test_amounts_are_strict_integers_in_fen(client: httpx.AsyncClient, tokens: Tokens) -> None:
    for amount in ("2000", 2000.0, 0, -1, None, 10**13):
        refused = await _grant(client, tokens, unique("TB"), amount)
        assert refused.status_code == 422, amount
        assert refused.json()["errors"][0]["field"] == "body.amount_minor"
    for role in (Role.customer, Role.service, Role.finance):
        assert (await _grant(client, tokens, unique("TB"), 100, role)).status_code == 403
    authority = await client.get("/discounts/authority", headers=tokens.headers(Role.agent))
    assert (authority.json()["agent_limit_minor"], authority.json()["currency"]) == (2000, "CNY")
