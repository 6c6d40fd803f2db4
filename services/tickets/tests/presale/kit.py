"""Builders of the pre-sale tests: inquiries handed over by the shop-chat gateway, orders placed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events.catalogue import orders

from ..kit import feed, unique

GATEWAY = {"subject": "gw-wangwang"}


def chat(customer: str, asked_at: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "shop_chat",
        "channel_message_id": unique("ww"),
        "asked_at": asked_at,
        "customer_id": customer,
        "products": ["SKU-TEA-250G"],
        "question": "这款茶叶是今年的新茶吗？",
        "agent": "alice",
    }
    return body | overrides


async def asked(
    client: httpx.AsyncClient, tokens: Tokens, body: dict[str, Any], *, expect: int = 201
) -> dict[str, Any]:
    response = await client.post("/inquiries/intake", json=body, headers=tokens.headers(Role.service, **GATEWAY))
    assert response.status_code == expect, response.text
    found: dict[str, Any] = response.json()
    return found


async def placed(
    app: FastAPI, order_id: str, customer: str, at: datetime, total: int = 12900, *, paid: int | None = None
) -> None:
    """OrderPlaced (and OrderPaid when ``paid``) through the service's own consumer."""
    fact: dict[str, Any] = {"order_id": order_id, "merchant_id": "M-001", "occurred_at": at}
    events: list[Any] = [
        orders.OrderPlaced(
            **fact, shop_event_id=f"{order_id}-placed", customer_id=customer, total_minor=total, currency="CNY",
            lines=[orders.OrderLine(sku="SKU-TEA-250G", quantity=1, unit_price_minor=total)],
        )
    ]  # fmt: skip
    if paid is not None:
        events.append(orders.OrderPaid(**fact, shop_event_id=f"{order_id}-paid", paid_minor=paid, currency="CNY"))
    await feed(app, *events)


async def get(client: httpx.AsyncClient, tokens: Tokens, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params, headers=tokens.headers(Role.supervisor, subject="sam"))
    assert response.status_code == 200, response.text
    return response.json()
