"""The order-facts intake: idempotent by the shop's event id, published once, roles enforced."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens

from ..kit import order_facts, post_fact


async def test_facts_build_the_read_model_and_resends_are_duplicates(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    facts = order_facts(order_id)
    for fact in facts:
        assert (await post_fact(client, tokens, fact)).json()["outcome"] == "applied"
    resent = await post_fact(client, tokens, facts[1])
    assert resent.json() == {
        "shop_event_id": facts[1]["shop_event_id"],
        "order_id": order_id,
        "outcome": "duplicate",
        "order_status": "shipped",
    }
    order = await client.get(f"/orders/{order_id}", headers=tokens.headers(Role.agent))
    assert order.json()["status"] == "shipped"
    assert order.json()["paid_minor"] == order.json()["total_minor"] == 15900


async def test_late_facts_never_move_the_status_back(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    placed, paid, shipped = order_facts(order_id)
    signed = {
        "kind": "signed",
        "shop_event_id": f"{order_id}-signed",
        "order_id": order_id,
        "occurred_at": "2026-11-22T10:00:00+08:00",
    }
    for fact in (placed, signed, paid, shipped):
        assert (await post_fact(client, tokens, fact)).status_code == 200
    order = await client.get(f"/orders/{order_id}", headers=tokens.headers(Role.agent))
    assert order.json()["status"] == "signed"


async def test_a_fact_before_its_order_is_placed_is_refused_and_not_remembered(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    placed, paid, _ = order_facts(order_id)
    early = await post_fact(client, tokens, paid)
    assert early.status_code == 422
    assert early.json()["rule"] == "order-facts.placed-first"
    await post_fact(client, tokens, placed)
    assert (await post_fact(client, tokens, paid)).json()["outcome"] == "applied"  # the resend now applies


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_at": "2026-11-20T10:15:00"}, "body.placed.occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00+14:00"}, "body.placed.occurred_at"),  # once a 409 from the driver
        ({"occurred_at": "2100-01-01T00:00:00Z"}, "body.placed.occurred_at"),
        ({"kind": "teleported"}, "body"),
        ({"lines": []}, "body.placed.lines"),
    ],
)
async def test_bad_facts_name_the_field(
    client: httpx.AsyncClient, tokens: Tokens, change: dict[str, Any], field: str
) -> None:
    placed = {**order_facts(f"TB-{uuid.uuid4().hex[:10]}")[0], **change}
    response = await post_fact(client, tokens, placed)
    assert response.status_code == 422
    assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.json()


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.service])
async def test_only_the_order_system_posts_facts(client: httpx.AsyncClient, tokens: Tokens, role: Role) -> None:
    placed = order_facts(f"TB-{uuid.uuid4().hex[:10]}")[0]
    response = await client.post("/order-facts", json=placed, headers=tokens.headers(role))
    assert response.status_code == 403
