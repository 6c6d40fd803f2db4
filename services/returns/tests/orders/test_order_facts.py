"""The order-facts intake: idempotent by the shop's event id, published once, roles enforced."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import Role
from aftersales_chassis.settings import asyncpg_url
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


async def _placed_events(database_url: str, order_id: str) -> int:
    engine = create_async_engine(asyncpg_url(database_url))
    try:
        async with engine.connect() as connection:
            query = "SELECT count(*) FROM outbox WHERE message_key = :key AND event_type LIKE '%.OrderPlaced.%'"
            return int((await connection.execute(text(query), {"key": order_id})).scalar_one())
    finally:
        await engine.dispose()


async def test_an_order_is_placed_once_and_a_second_placed_fact_is_refused_whole(
    client: httpx.AsyncClient, tokens: Tokens, returns_db: str
) -> None:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    placed = order_facts(order_id)[0]
    assert (await post_fact(client, tokens, placed)).json()["outcome"] == "applied"
    again = {**placed, "shop_event_id": f"{order_id}-placed-again", "lines": [{"sku": "SKU-X", "quantity": 9,
                                                                              "unit_price_minor": 1}]}  # fmt: skip
    refused = await post_fact(client, tokens, again)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "order-facts.placed-once"
    assert (await post_fact(client, tokens, again)).status_code == 422  # not remembered as taken in
    order = (await client.get(f"/orders/{order_id}", headers=tokens.headers(Role.agent))).json()
    assert [line["sku"] for line in order["lines"]] == ["SKU-CUP", "SKU-TEA"]
    assert order["total_minor"] == 15900
    assert await _placed_events(returns_db, order_id) == 1


async def test_concurrent_placed_facts_for_one_order_place_it_once(
    client: httpx.AsyncClient, tokens: Tokens, returns_db: str
) -> None:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    placed = order_facts(order_id)[0]
    racing = [{**placed, "shop_event_id": f"{order_id}-placed-{n}"} for n in range(8)]
    answers = await asyncio.gather(*(post_fact(client, tokens, fact) for fact in racing))
    assert sorted(a.status_code for a in answers) == [200] + [422] * 7
    assert {a.json()["rule"] for a in answers if a.status_code == 422} == {"order-facts.placed-once"}
    assert await _placed_events(returns_db, order_id) == 1


async def test_an_order_with_a_sku_twice_is_refused(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    placed = order_facts(order_id)[0]
    twice = {**placed, "lines": [*placed["lines"], placed["lines"][0]]}
    refused = await post_fact(client, tokens, twice)
    assert (refused.status_code, refused.json()["rule"]) == (422, "order-facts.unique-skus")
    assert (await client.get(f"/orders/{order_id}", headers=tokens.headers(Role.agent))).status_code == 404


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
