"""Builders the reviews tests share: order facts fed through the real consumer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import text

from aftersales_chassis import Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner, EventPayload
from aftersales_events.catalogue import orders
from aftersales_events.testing import consumer_record, wrap


async def feed(runner: ConsumerRunner, *payloads: EventPayload) -> list[str]:
    return [
        await runner.process(consumer_record(wrap(p, p.order_id if hasattr(p, "order_id") else "s"))) for p in payloads
    ]


def placed(
    order_id: str, at: datetime, *, customer: str = "C-42", phone: str = "13800138000", total: int = 12900
) -> orders.OrderPlaced:
    return orders.OrderPlaced(
        order_id=order_id,
        shop_event_id=f"{order_id}-placed",
        occurred_at=at,
        merchant_id="M-001",
        customer_id=customer,
        contact=orders.CustomerContact(name="Wang", phone=phone),
        lines=[orders.OrderLine(sku="SKU-TEA", quantity=1, unit_price_minor=total)],
        total_minor=total,
        currency="CNY",
    )


def paid(order_id: str, at: datetime, amount: int) -> orders.OrderPaid:
    return orders.OrderPaid(
        order_id=order_id,
        shop_event_id=f"{order_id}-paid",
        occurred_at=at,
        merchant_id="M-001",
        paid_minor=amount,
        currency="CNY",
    )


async def paid_order(runner: ConsumerRunner, order_id: str, at: datetime, amount: int = 12900, **kw: str) -> None:
    assert await feed(runner, placed(order_id, at, total=amount, **kw), paid(order_id, at, amount)) == ["applied"] * 2


async def events_of(database: Database, key: str) -> list[tuple[str, dict[str, Any]]]:
    """The events recorded in the outbox for a message key: (name, data), oldest first."""
    async with database.sessionmaker() as session:
        rows = await session.execute(
            text("SELECT event_type, envelope FROM outbox WHERE message_key = :key ORDER BY id"), {"key": key}
        )
        return [(row[0].split(".")[2], row[1]["data"]) for row in rows]


def review(
    at: datetime,
    *,
    stars: int = 2,
    marketplace: str = "taobao",
    review_id: str | None = None,
    order_id: str | None = None,
    updated_at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "marketplace": marketplace,
        "review_id": review_id or f"RV-{uuid.uuid4().hex[:12]}",
        "order_id": order_id,
        "customer_id": extra.pop("customer_id", "C-42"),
        "sku": extra.pop("sku", "SKU-TEA"),
        "stars": stars,
        "text": extra.pop("text", "not what I expected"),
        "reviewed_at": at.isoformat(),
        "updated_at": (updated_at or at).isoformat(),
        **extra,
    }


async def take_in(client: httpx.AsyncClient, tokens: Tokens, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = await client.post("/reviews", json=body, headers=tokens.headers(Role.service, subject="gateway"))
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


async def bad_case(client: httpx.AsyncClient, tokens: Tokens, at: datetime, **kw: Any) -> dict[str, Any]:
    """A negative review taken in: its case, awaiting the call."""
    taken = await take_in(client, tokens, review(at, **kw))
    case = await client.get(f"/cases/{taken['case_id']}", headers=tokens.headers(Role.agent))
    assert case.status_code == 200, case.text
    result: dict[str, Any] = case.json()
    return result


async def act(
    client: httpx.AsyncClient,
    tokens: Tokens,
    case_id: str,
    action: str,
    body: dict[str, Any] | None = None,
    *,
    role: Role = Role.agent,
    subject: str = "ann",
    status: int = 200,
) -> dict[str, Any]:
    response = await client.post(
        f"/cases/{case_id}/{action}",
        json=body if body is not None else {"note": action},
        headers=tokens.headers(role, subject=subject),
    )
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


async def explained_case(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, at: datetime, paid_minor: int = 12900
) -> dict[str, Any]:
    """A quality case on a paid order, through Z1 → Z3: ready for remedies (Z4)."""
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    await paid_order(runner, order_id, at, paid_minor)
    case = await bad_case(client, tokens, at, order_id=order_id)
    await act(client, tokens, case["id"], "call", {"finding": "quality", "note": "leaves crushed"})
    await act(client, tokens, case["id"], "listen")
    return await act(client, tokens, case["id"], "explain")


async def propose(
    client: httpx.AsyncClient,
    tokens: Tokens,
    case_id: str,
    amount: int,
    *,
    role: Role = Role.agent,
    subject: str = "ann",
    status: int = 201,
) -> dict[str, Any]:
    response = await client.post(
        "/remedies",
        json={"case_id": case_id, "kind": "compensation", "description": "sorry", "amount_minor": amount},
        headers=tokens.headers(role, subject=subject),
    )
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


async def decide_remedy(
    client: httpx.AsyncClient,
    tokens: Tokens,
    remedy_id: str,
    action: str,
    *,
    role: Role = Role.supervisor,
    subject: str = "sam",
    status: int = 200,
) -> dict[str, Any]:
    response = await client.post(
        f"/remedies/{remedy_id}/{action}", json={}, headers=tokens.headers(role, subject=subject)
    )
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result
