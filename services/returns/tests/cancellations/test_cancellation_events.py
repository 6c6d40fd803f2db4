"""Finance sees a cancellation in progress (issue 17 item 4): returns publishes
OrderCancellationRequested (paid, not shipped: T1B) and OrderInterceptRequested (shipped,
§6.4), then its outcome, OrderInterceptSucceeded or OrderInterceptFailed (warehouse only;
from intercept_requested only). An unpaid order's cancellation moves no money: no event."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import Role
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import Tokens

from ..kit import known_order


async def _events(database_url: str, order_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The cancellation events of an order, in the outbox (keyed by order), oldest first."""
    engine = create_async_engine(asyncpg_url(database_url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT event_type, envelope FROM outbox WHERE message_key = :key ORDER BY id"), {"key": order_id}
            )
            return [
                (kind.split(".")[2], envelope["data"])
                for kind, envelope in rows
                if "Cancellation" in kind or "Intercept" in kind
            ]
    finally:
        await engine.dispose()


async def _request(client: httpx.AsyncClient, tokens: Tokens, order_id: str) -> dict[str, Any]:
    body = {"order_id": order_id, "reason": "ordered twice", "reason_party": "customer", "freight_minor": 900}
    response = await client.post("/cancellations", json=body, headers=tokens.headers(Role.agent))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_paid_unshipped_cancellation_is_published_when_requested(
    client: httpx.AsyncClient, tokens: Tokens, returns_db: str
) -> None:
    order = await known_order(client, tokens, shipped=False)
    created = await _request(client, tokens, order)
    events = await _events(returns_db, order)
    assert [kind for kind, _ in events] == ["OrderCancellationRequested"]
    assert events[0][1]["cancellation_id"] == created["id"]
    assert events[0][1]["paid_minor"] == 15900
    await client.post(f"/cancellations/{created['id']}/confirm", json={"customer_note": "ok"},
                      headers=tokens.headers(Role.warehouse))  # fmt: skip
    assert [kind for kind, _ in await _events(returns_db, order)] == [
        "OrderCancellationRequested",
        "OrderCancellationConfirmed",
    ]


async def test_an_unpaid_cancellation_publishes_nothing(
    client: httpx.AsyncClient, tokens: Tokens, returns_db: str
) -> None:
    order = await known_order(client, tokens, shipped=False, paid=False)
    await _request(client, tokens, order)
    assert await _events(returns_db, order) == []


@pytest.mark.parametrize(
    ("action", "body", "state", "published"),
    [
        ("intercepted", None, "intercepted", "OrderInterceptSucceeded"),
        ("intercept-failed", {"reason": "delivered"}, "intercept_failed", "OrderInterceptFailed"),
    ],
)
async def test_an_interception_is_published_when_requested_and_when_it_ends(
    client: httpx.AsyncClient,
    tokens: Tokens,
    returns_db: str,
    action: str,
    body: dict[str, str] | None,
    state: str,
    published: str,
) -> None:
    order = await known_order(client, tokens, shipped=True)
    created = await _request(client, tokens, order)
    assert created["state"] == "intercept_requested"
    assert sorted(created["allowed_actions"]) == ["intercept-failed", "intercepted"]
    requested = await _events(returns_db, order)
    assert [kind for kind, _ in requested] == ["OrderInterceptRequested"]
    assert (requested[0][1]["freight_payer"], requested[0][1]["freight_minor"]) == ("customer", 900)
    url = f"/cancellations/{created['id']}/{action}"
    kw: dict[str, Any] = {"json": body} if body is not None else {}
    for role in (Role.agent, Role.supervisor, Role.finance):
        assert (await client.post(url, headers=tokens.headers(role), **kw)).status_code == 403
    done = await client.post(url, headers=tokens.headers(Role.warehouse), **kw)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == state
    assert [kind for kind, _ in await _events(returns_db, order)] == ["OrderInterceptRequested", published]
    again = await client.post(url, headers=tokens.headers(Role.warehouse), **kw)
    assert again.status_code == 409  # ended: the outcome is recorded once


async def test_an_interception_fails_only_while_requested_and_with_a_reason(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    unshipped = await _request(client, tokens, await known_order(client, tokens, shipped=False))
    wrong_state = await client.post(
        f"/cancellations/{unshipped['id']}/intercept-failed",
        json={"reason": "x"},
        headers=tokens.headers(Role.warehouse),
    )
    assert wrong_state.status_code == 409
    assert wrong_state.json()["current_state"] == "awaiting_warehouse"
    shipped = await _request(client, tokens, await known_order(client, tokens, shipped=True))
    no_reason = await client.post(
        f"/cancellations/{shipped['id']}/intercept-failed", json={"reason": ""}, headers=tokens.headers(Role.warehouse)
    )
    assert no_reason.status_code == 422
