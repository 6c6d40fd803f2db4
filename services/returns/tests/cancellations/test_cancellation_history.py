"""Every aggregate of returns keeps the one audit trail (aftersales_workflow): cancellations
and parcels gain theirs; an illegal action is the one 409 everywhere."""

from __future__ import annotations

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens

from ..kit import known_order


def _steps(history: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(h["action"], h["step"], h["from_state"], h["to_state"], h["actor"]) for h in history]


async def test_a_cancellation_keeps_its_history_and_says_what_it_allows(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = await known_order(client, tokens, shipped=False)
    agent, warehouse = tokens.headers(Role.agent, subject="ann"), tokens.headers(Role.warehouse, subject="wu")
    created = await client.post(
        "/cancellations", json={"order_id": order, "reason": "ordered twice", "reason_party": "customer"},
        headers=agent,
    )  # fmt: skip
    cid = created.json()["id"]
    assert created.json()["allowed_actions"] == ["confirm"]
    confirmed = await client.post(f"/cancellations/{cid}/confirm", json={"customer_note": "done"}, headers=warehouse)
    assert confirmed.json()["allowed_actions"] == ["refund"]
    await client.post(f"/cancellations/{cid}/refund", json={}, headers=tokens.headers(Role.supervisor, subject="sam"))

    history = await client.get(f"/cancellations/{cid}/history", headers=agent)
    assert history.status_code == 200, history.text
    assert _steps(history.json()) == [
        ("open", "T1B", None, "awaiting_warehouse", "ann"),
        ("confirm", "T1B1", "awaiting_warehouse", "confirmed", "wu"),
        ("refund", "T1B2", "confirmed", "refunded", "sam"),
    ]
    assert history.json()[0]["reason"] == "ordered twice"
    assert all(h["correlation_id"] for h in history.json())


async def test_history_of_an_unknown_cancellation_is_a_404_and_needs_a_staff_role(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    unknown = "/cancellations/0b0e7c9e-8f6a-4bb0-9d4c-3e2c5a1f0c11/history"
    assert (await client.get(unknown, headers=tokens.headers(Role.agent))).status_code == 404
    assert (await client.get(unknown, headers=tokens.headers(Role.customer))).status_code == 403
    assert (await client.get(unknown)).status_code == 401


async def test_an_illegal_cancellation_action_is_the_same_409_as_a_returns(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = await known_order(client, tokens, shipped=False)
    created = await client.post(
        "/cancellations", json={"order_id": order, "reason": "x", "reason_party": "customer"},
        headers=tokens.headers(Role.agent),
    )  # fmt: skip
    cid = created.json()["id"]
    refused = await client.post(f"/cancellations/{cid}/intercepted", headers=tokens.headers(Role.warehouse))
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"].endswith("/invalid-transition")
    assert (problem["current_state"], problem["allowed_actions"]) == ("awaiting_warehouse", ["confirm"])
    assert "while the cancellation is 'awaiting_warehouse'" in problem["detail"]
