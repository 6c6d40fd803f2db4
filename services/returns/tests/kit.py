"""Builders for returns API tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from aftersales_chassis import Grant, Role
from aftersales_chassis.testing import Tokens

AUTHORISED_AGENT = Grant(Role.agent, "refund:approve")
ORDER_LINES = [
    {"sku": "SKU-TEA", "title": "Longjing 250 g", "quantity": 2, "unit_price_minor": 6450},
    {"sku": "SKU-CUP", "title": "Tea cup", "quantity": 1, "unit_price_minor": 3000},
]


def order_facts(order_id: str, *, shipped: bool = True, paid: bool = True) -> list[dict[str, Any]]:
    """The order system's facts for a two-line order of 159.00 yuan: placed, paid, shipped."""
    facts: list[dict[str, Any]] = [
        {
            "kind": "placed",
            "shop_event_id": f"{order_id}-placed",
            "order_id": order_id,
            "occurred_at": "2026-11-20T10:15:00+08:00",
            "merchant_id": "M-001",
            "customer_id": "C-42",
            "contact": {"name": "Wang Xiaoming", "phone": "13800138000", "address": "Pudong, Shanghai"},
            "lines": ORDER_LINES,
        }
    ]
    if paid:
        facts.append(
            {
                "kind": "paid",
                "shop_event_id": f"{order_id}-paid",
                "order_id": order_id,
                "occurred_at": "2026-11-20T10:16:00+08:00",
                "paid_minor": 15900,
            }
        )
    if shipped:
        facts.append(
            {
                "kind": "shipped",
                "shop_event_id": f"{order_id}-shipped",
                "order_id": order_id,
                "occurred_at": "2026-11-21T09:00:00+08:00",
                "courier": "SF",
                "tracking_number": f"SF{order_id}",
            }
        )
    return facts


async def post_fact(client: httpx.AsyncClient, tokens: Tokens, fact: dict[str, Any]) -> httpx.Response:
    return await client.post("/order-facts", json=fact, headers=tokens.headers(Role.service))


async def known_order(client: httpx.AsyncClient, tokens: Tokens, **kw: bool) -> str:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    for fact in order_facts(order_id, **kw):
        response = await post_fact(client, tokens, fact)
        assert response.status_code == 200, response.text
    return order_id


def new_return_body(order_id: str, **overrides: Any) -> dict[str, Any]:
    """A return of the whole two-line order of `order_facts`, freight borne by the shop."""
    body: dict[str, Any] = {
        "order_id": order_id,
        "reason": "damaged in transit",
        "lines": [
            {"sku": "SKU-TEA", "quantity": 2, "reason": "damaged_in_transit"},
            {"sku": "SKU-CUP", "quantity": 1, "reason": "quality_problem"},
        ],
        "requested_refund_minor": 15900,
        "freight_minor": 1200,
        "freight_payer": "shop",
    }
    body.update(overrides)
    return body


async def open_return(client: httpx.AsyncClient, tokens: Tokens, **overrides: Any) -> dict[str, Any]:
    order_id = overrides.pop("order_id", None) or await known_order(client, tokens)
    response = await client.post(
        "/returns", json=new_return_body(order_id, **overrides), headers=tokens.headers(Role.agent)
    )
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
