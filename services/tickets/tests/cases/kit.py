"""Builders for the after-sale cases tests: cases of each kind, evidence, outbox reads."""

from __future__ import annotations

import struct
import uuid
import zlib
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import Role
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import Tokens


def png_bytes() -> bytes:
    """A real 1×1 PNG, made here (the type is sniffed from the bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def new_order() -> str:
    return f"TB-CASE-{uuid.uuid4().hex[:10]}"


async def open_case(
    client: httpx.AsyncClient,
    tokens: Tokens,
    kind: str = "C",
    *,
    order_id: str | None = None,
    customer_id: str = "C-42",
    agent: str = "ann",
) -> dict[str, Any]:
    created = await client.post(
        "/cases",
        json={
            "kind": kind,
            "order_id": order_id or new_order(),
            "customer_id": customer_id,
            "merchant_id": "M-001",
            "summary": "one tin missing",
        },
        headers=tokens.headers(Role.agent, subject=agent),
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, data: bytes | None = None, name: str = "p.png"
) -> httpx.Response:
    return await client.post(
        f"/cases/{case_id}/evidence", files={"file": (name, data if data is not None else png_bytes())}, headers=headers
    )


async def post(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(path, json=body or {}, headers=headers)
    assert response.status_code in (200, 201), (path, response.text)
    result: dict[str, Any] = response.json()
    return result


async def case_at_negotiation(
    client: httpx.AsyncClient, tokens: Tokens, *, order_id: str | None = None, kind: str = "C"
) -> dict[str, Any]:
    """A C case (or K) past C2 (K2): at C3, the warehouse liable (a K case: the courier SF)."""
    case = await open_case(client, tokens, kind, order_id=order_id)
    cid = case["id"]
    assert (await upload(client, tokens.headers(Role.customer, subject="C-42"), cid)).status_code == 201
    await post(client, f"/cases/{cid}/investigation", tokens.headers(Role.agent, subject="ann"))
    if kind == "C":
        finding = {"shipped_right_proven": False, "finding": "no packing video"}
        return await post(client, f"/cases/{cid}/warehouse-finding", tokens.headers(Role.warehouse), finding)
    liable = {"liability": "courier", "courier": "SF", "courier_owes_minor": 6450, "finding": "crushed"}
    return await post(client, f"/cases/{cid}/liability", tokens.headers(Role.warehouse), liable)


async def abnormal_refund_requested(
    client: httpx.AsyncClient,
    tokens: Tokens,
    amount: int,
    *,
    exchange_cost: int = 5000,
    order_id: str | None = None,
    kind: str = "C",
) -> tuple[str, str]:
    """A case at C3B2: (case id, abnormal refund id), requested by agent 'ann'."""
    case = await case_at_negotiation(client, tokens, order_id=order_id, kind=kind)
    cid, agent = case["id"], tokens.headers(Role.agent, subject="ann")
    await post(client, f"/cases/{cid}/remedy", agent, {"remedy": "discount", "note": "keeps the goods"})
    body = {"amount_minor": amount, "exchange_cost_minor": exchange_cost, "reason": "one tin short"}
    refund = await post(client, f"/cases/{cid}/abnormal-refunds", agent, body)
    return cid, refund["id"]


async def outbox(database_url: str, case_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The events the case recorded, oldest first: (name, payload)."""
    engine = create_async_engine(asyncpg_url(database_url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT event_type, envelope FROM outbox WHERE message_key = :key ORDER BY id"), {"key": case_id}
            )
            return [(row[0].split(".")[2], row[1]["data"]) for row in rows]
    finally:
        await engine.dispose()
