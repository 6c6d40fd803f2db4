"""Builders the tickets tests share: order facts fed through the real consumer, complaints
handed over by a channel gateway."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import EventPayload
from aftersales_events.catalogue import orders
from aftersales_events.testing import consumer_record, wrap

_ids = itertools.count(1)


def unique(prefix: str) -> str:
    """An id no other test uses (the session's database is shared by every test)."""
    return f"{prefix}-{next(_ids)}-{datetime.now().microsecond}"


async def feed(app: FastAPI, *payloads: EventPayload) -> None:
    """Events through the service's own consumer runner, one message each."""
    for payload in payloads:
        assert await app.state.consumer.process(consumer_record(wrap(payload))) == "applied"


def paid_order(order_id: str, *, customer: str, merchant: str, paid: int, at: datetime) -> list[EventPayload]:
    fact: dict[str, Any] = {"order_id": order_id, "merchant_id": merchant, "occurred_at": at}
    return [
        orders.OrderPlaced(
            **fact,
            shop_event_id=f"{order_id}-placed",
            customer_id=customer,
            lines=[orders.OrderLine(sku="SKU-TEA", quantity=1, unit_price_minor=paid)],
            total_minor=paid,
            currency="CNY",
        ),
        orders.OrderPaid(**fact, shop_event_id=f"{order_id}-paid", paid_minor=paid, currency="CNY"),
    ]


def message(channel: str = "wechat", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": channel,
        "channel_message_id": unique(channel),
        "received_at": "2026-11-24T10:00:00+08:00",
        "sender": {"handle": "wx-openid-1", "name": "王女士"},
        "subject": "包装破损",
        "body": "收到的茶叶包装破了。",
    }
    return body | overrides


async def hand_over(
    client: httpx.AsyncClient, tokens: Tokens, body: dict[str, Any], *, expect: int = 201
) -> dict[str, Any]:
    """A gateway posts the message (role service); the complaint it made."""
    response = await client.post(
        "/complaints/intake", json=body, headers=tokens.headers(Role.service, subject=f"gw-{body['channel']}")
    )
    assert response.status_code == expect, response.text
    found: dict[str, Any] = response.json()
    return found


async def events_of(app: FastAPI, subject: str, name: str) -> list[dict[str, Any]]:
    """The payloads of the events ``name`` (e.g. ``ComplaintOpened``) recorded in the outbox for ``subject``."""
    async with app.state.db.sessionmaker() as session:
        rows = await session.execute(
            text("SELECT envelope FROM outbox WHERE message_key = :key AND event_type LIKE :type ORDER BY id"),
            {"key": subject, "type": f"%.{name}.%"},
        )
        return [dict(row.envelope["data"]) for row in rows]


async def clocks_of(client: httpx.AsyncClient, tokens: Tokens, complaint_id: str) -> dict[str, dict[str, Any]]:
    """The complaint's SLA clocks by step (the latest of each)."""
    listed = await client.get(
        "/sla/clocks", params={"aggregate_id": complaint_id, "limit": 50}, headers=tokens.headers(Role.supervisor)
    )
    assert listed.status_code == 200, listed.text
    return {clock["step"]: clock for clock in sorted(listed.json()["items"], key=lambda c: c["started_at"])}
