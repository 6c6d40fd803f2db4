"""A settlement's audit trail (the workflow's one shape): who took each step of §8, seen by
finance and by the merchant it belongs to, and the one 409 for a step its state refuses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner

from .kit import feed, paid_order

OCTOBER = datetime(2026, 10, 12, 3, tzinfo=UTC)


def _finance(tokens: Tokens, subject: str) -> dict[str, str]:
    return tokens.headers(Role.finance, subject=subject)


async def _draft(runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, merchant: str) -> str:
    await feed(runner, *paid_order(f"{merchant}-A", merchant, 1000, OCTOBER))
    body = {"merchant_id": merchant, "month": "2026-10"}
    response = await client.post("/settlements", json=body, headers=_finance(tokens, "alice"))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_the_history_of_a_settlement_from_draft_to_booked_with_its_actors(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:8]}"
    settlement_id = await _draft(runner, client, tokens, merchant)
    body = {"merchant_id": merchant, "month": "2026-10"}
    recomputed = await client.post("/settlements", json=body, headers=_finance(tokens, "carol"))
    assert recomputed.status_code == 201, recomputed.text
    assert recomputed.json()["id"] == settlement_id
    approved = await client.post(f"/settlements/{settlement_id}/approve", headers=_finance(tokens, "bob"))
    assert approved.status_code == 200, approved.text
    booked = await client.post(f"/settlements/{settlement_id}/book", headers=_finance(tokens, "alice"))
    assert booked.status_code == 200, booked.text

    response = await client.get(f"/settlements/{settlement_id}/history", headers=_finance(tokens, "dave"))
    assert response.status_code == 200, response.text
    history = response.json()
    assert [(t["action"], t["step"], t["from_state"], t["to_state"], t["actor"]) for t in history] == [
        ("open", "§8", None, "draft", "alice"),
        ("recompute", "§8", "draft", "draft", "carol"),
        ("approve", "§8", "draft", "approved", "bob"),
        ("book", "§8", "approved", "booked", "alice"),
    ]
    instants = [datetime.fromisoformat(t["at"]) for t in history]
    assert instants == sorted(instants)
    assert all(t["correlation_id"] for t in history)  # each request's own


async def test_a_merchant_reads_the_history_of_its_own_settlements_only(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    mine, theirs = f"m-{uuid.uuid4().hex[:8]}", f"m-{uuid.uuid4().hex[:8]}"
    my_id = await _draft(runner, client, tokens, mine)
    their_id = await _draft(runner, client, tokens, theirs)
    merchant = tokens.headers(Role.merchant, merchant_id=mine)

    own = await client.get(f"/settlements/{my_id}/history", headers=merchant)
    assert own.status_code == 200, own.text
    assert [(t["action"], t["to_state"], t["actor"]) for t in own.json()] == [("open", "draft", "alice")]
    # Another merchant's settlement does not exist for this one, as GET /settlements/{id} says.
    assert (await client.get(f"/settlements/{their_id}/history", headers=merchant)).status_code == 404
    assert (await client.get(f"/settlements/{their_id}", headers=merchant)).status_code == 404
    assert (
        await client.get(f"/settlements/{uuid.uuid4()}/history", headers=_finance(tokens, "bob"))
    ).status_code == 404
    assert (await client.get(f"/settlements/{my_id}/history", headers=tokens.headers(Role.agent))).status_code == 403
    assert (await client.get(f"/settlements/{my_id}/history")).status_code == 401


async def test_a_step_the_state_refuses_is_the_one_invalid_transition_problem(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:8]}"
    settlement_id = await _draft(runner, client, tokens, merchant)
    early = await client.post(f"/settlements/{settlement_id}/book", headers=_finance(tokens, "bob"))
    assert early.status_code == 409, early.text
    problem = early.json()
    assert problem["type"].endswith("/invalid-transition")
    assert (problem["current_state"], problem["allowed_actions"]) == ("draft", ["recompute", "approve"])

    assert (
        await client.post(f"/settlements/{settlement_id}/approve", headers=_finance(tokens, "bob"))
    ).status_code == 200
    body = {"merchant_id": merchant, "month": "2026-10"}
    frozen = await client.post("/settlements", json=body, headers=_finance(tokens, "alice"))
    assert frozen.status_code == 409, frozen.text
    assert frozen.json()["type"].endswith("/invalid-transition")
    assert (frozen.json()["current_state"], frozen.json()["allowed_actions"]) == ("approved", ["book"])
    # The refused steps left no trace in the trail.
    history = (await client.get(f"/settlements/{settlement_id}/history", headers=_finance(tokens, "bob"))).json()
    assert [t["action"] for t in history] == ["open", "approve"]
