"""Builders for the parcel tests: orders with their own contact, approved returns, scans."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from aftersales_chassis import Clock, Role
from aftersales_chassis.testing import Tokens

from ..kit import open_return, order_facts, post_fact


def unique_contact() -> dict[str, str]:
    """A contact no other test uses: the test database is shared by the whole session."""
    n = uuid.uuid4().int
    return {
        "name": f"Zhao {uuid.uuid4().hex[:8]}",
        "phone": f"139{n % 10**8:08d}",
        "address": f"Room {n % 997}, {uuid.uuid4().hex[:6]} Road, Hangzhou",
    }


async def order_with_contact(client: httpx.AsyncClient, tokens: Tokens, contact: dict[str, str]) -> str:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    facts = order_facts(order_id)
    facts[0]["contact"] = contact
    for fact in facts:
        response = await post_fact(client, tokens, fact)
        assert response.status_code == 200, response.text
    return order_id


async def approved_return(
    client: httpx.AsyncClient, tokens: Tokens, contact: dict[str, str] | None = None, *, tracking: str | None = None
) -> dict[str, Any]:
    """T1A2 → T1A3 approved, for an order with ``contact``; T1A4 done when ``tracking`` is given."""
    order_id = await order_with_contact(client, tokens, contact or unique_contact())
    created = await open_return(client, tokens, order_id=order_id)
    rid = created["id"]
    approved = await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    assert approved.status_code == 200, approved.text
    if tracking is not None:
        entered = await client.post(
            f"/returns/{rid}/tracking",
            json={"courier": "SF", "tracking_number": tracking},
            headers=tokens.headers(Role.agent),
        )
        assert entered.status_code == 200, entered.text
    body: dict[str, Any] = approved.json()
    return body


def tracking_number() -> str:
    return f"SF{uuid.uuid4().int % 10**12:012d}"


def scan(clock: Clock, tracking: str, kind: str = "arrived", *, ago: timedelta = timedelta(0), **fields: Any):
    at: datetime = clock.now() - ago
    return {
        "scan_id": f"scan-{uuid.uuid4().hex}",
        "kind": kind,
        "scanned_at": at.isoformat(),
        "tracking_number": tracking,
        **fields,
    }


async def post_scans(
    client: httpx.AsyncClient, tokens: Tokens, scans: list[Any], role: Role = Role.warehouse
) -> httpx.Response:
    return await client.post("/parcels/scans:batch", json=scans, headers=tokens.headers(role))


async def ingest(client: httpx.AsyncClient, tokens: Tokens, scans: list[Any]) -> dict[str, Any]:
    response = await post_scans(client, tokens, scans)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def get_return(client: httpx.AsyncClient, tokens: Tokens, rid: str) -> dict[str, Any]:
    response = await client.get(f"/returns/{rid}", headers=tokens.headers(Role.agent))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
