"""Cancellations: refund only after the warehouse confirmed (T1B2), unpaid orders closed,
shipped orders intercepted with freight to whoever caused it (§6.4); roles both ways."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually

from ..kit import known_order


async def _request(client: httpx.AsyncClient, tokens: Tokens, order_id: str, **kw: Any) -> httpx.Response:
    body = {"order_id": order_id, "reason": "ordered twice", "reason_party": "customer", **kw}
    return await client.post("/cancellations", json=body, headers=tokens.headers(Role.agent))


async def test_paid_unshipped_order_refunds_only_after_the_warehouse_confirms(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = await known_order(client, tokens, shipped=False)
    created = (await _request(client, tokens, order)).json()
    assert created["state"] == "awaiting_warehouse"
    cid = created["id"]
    early = await client.post(f"/cancellations/{cid}/refund", json={}, headers=tokens.headers(Role.supervisor))
    assert early.status_code == 409
    assert early.json()["rule"] == "T1B2.refund-after-cancellation-confirmed"
    assert early.json()["allowed_actions"] == ["confirm"]

    note = {"customer_note": "cancelled; refund on its way"}
    assert (await client.post(f"/cancellations/{cid}/confirm", json=note,
                              headers=tokens.headers(Role.agent))).status_code == 403  # fmt: skip
    confirmed = await client.post(f"/cancellations/{cid}/confirm", json=note, headers=tokens.headers(Role.warehouse))
    assert confirmed.json()["state"] == "confirmed"
    refunded = await client.post(
        f"/cancellations/{cid}/refund", json={}, headers=tokens.headers(Role.agent, scopes=["refund:approve"])
    )
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["refund_amount_minor"] == 15900
    again = await client.post(f"/cancellations/{cid}/refund", json={}, headers=tokens.headers(Role.supervisor))
    assert again.status_code == 409

    async def issued() -> dict[str, Any] | None:
        current: dict[str, Any] = (await client.get(f"/cancellations/{cid}", headers=tokens.headers(Role.agent))).json()
        return current if current["refund_issued_at"] else None

    current = await eventually(issued, timeout=10, message="the cancellation's refund issued")
    assert current["refund_issued_at"] is not None
    assert sum(1 for r in app.state.payments.paid.values() if r.order_id == order) == 1


@pytest.mark.parametrize(("role", "scopes", "status"), [(Role.agent, (), 403), (Role.warehouse, (), 403),
                                                        (Role.supervisor, (), 200)])  # fmt: skip
async def test_cancellation_refund_needs_an_authorised_role(
    client: httpx.AsyncClient, tokens: Tokens, role: Role, scopes: tuple[str, ...], status: int
) -> None:
    order = await known_order(client, tokens, shipped=False)
    cid = (await _request(client, tokens, order)).json()["id"]
    await client.post(f"/cancellations/{cid}/confirm", json={"customer_note": "ok"},
                      headers=tokens.headers(Role.warehouse))  # fmt: skip
    response = await client.post(f"/cancellations/{cid}/refund", json={}, headers=tokens.headers(role, scopes=scopes))
    assert response.status_code == status


async def test_unpaid_order_is_simply_closed(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order = await known_order(client, tokens, shipped=False, paid=False)
    created = (await _request(client, tokens, order)).json()
    assert created["state"] == "closed_unpaid"
    refund = await client.post(
        f"/cancellations/{created['id']}/refund", json={}, headers=tokens.headers(Role.supervisor)
    )
    assert refund.status_code == 409


@pytest.mark.parametrize(("party", "refund"), [("customer", 15900 - 1200), ("shop", 15900)])
async def test_shipped_order_freight_is_the_customers_when_the_reason_is_theirs(
    client: httpx.AsyncClient, tokens: Tokens, party: str, refund: int
) -> None:
    order = await known_order(client, tokens)
    created = (await _request(client, tokens, order, reason_party=party, freight_minor=1200)).json()
    assert created["state"] == "intercept_requested"
    assert created["freight_payer"] == party
    cid = created["id"]
    await client.post(f"/cancellations/{cid}/intercepted", headers=tokens.headers(Role.warehouse))
    refunded = await client.post(f"/cancellations/{cid}/refund", json={}, headers=tokens.headers(Role.supervisor))
    assert refunded.json()["refund_amount_minor"] == refund


async def test_one_open_cancellation_per_order(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order = await known_order(client, tokens, shipped=False)
    assert (await _request(client, tokens, order)).status_code == 201
    assert (await _request(client, tokens, order)).status_code == 409
