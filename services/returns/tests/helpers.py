"""Builders for returns API tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from aftersales_chassis import Grant, Role
from aftersales_chassis.testing import Tokens

AUTHORISED_AGENT = Grant(Role.agent, "refund:approve")


def new_return_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": f"TB-{uuid.uuid4().hex[:10]}",
        "reason": "damaged in transit",
        "lines": [
            {"sku": "SKU-TEA", "quantity": 2, "unit_price_minor": 6450},
            {"sku": "SKU-CUP", "quantity": 1, "unit_price_minor": 3000},
        ],
        "requested_refund_minor": 15900,
        "freight_minor": 1200,
        "freight_payer": "shop",
    }
    body.update(overrides)
    return body


async def open_return(client: httpx.AsyncClient, tokens: Tokens, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/returns", json=new_return_body(**overrides), headers=tokens.headers(Role.agent))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def received_return(client: httpx.AsyncClient, tokens: Tokens, **overrides: Any) -> dict[str, Any]:
    """A return taken through T1A2 → T1A3 → T1A5 (all lines received)."""
    created = await open_return(client, tokens, **overrides)
    rid = created["id"]
    approved = await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    assert approved.status_code == 200, approved.text
    received = await client.post(f"/returns/{rid}/receipt", json={}, headers=tokens.headers(Role.warehouse))
    assert received.status_code == 200, received.text
    body: dict[str, Any] = received.json()
    return body
