"""Helpers for the finance tests: bookings and balances over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens


async def book(
    client: httpx.AsyncClient,
    tokens: Tokens,
    legs: dict[str, int],
    *,
    at: datetime | None = None,
    currency: str = "CNY",
) -> httpx.Response:
    return await client.post(
        "/ledger/transactions",
        json={
            "reference": uuid.uuid4().hex,
            "description": "test",
            "currency": currency,
            "effective_at": (at or datetime.now(UTC)).isoformat(),
            "legs": [{"account_code": c, "amount_minor": a} for c, a in legs.items()],
        },
        headers=tokens.headers(Role.finance),
    )


async def balances(client: httpx.AsyncClient, tokens: Tokens, as_of: str | None = None) -> dict[str, int]:
    found: dict[str, int] = {}
    params: dict[str, str] = {"limit": "200", **({"as_of": as_of} if as_of else {})}
    while True:
        page = (await client.get("/ledger/balances", params=params, headers=tokens.headers(Role.finance))).json()
        found |= {b["account_code"]: b["balance_minor"] for b in page["items"]}
        if not page["next_cursor"]:
            return found
        params["cursor"] = page["next_cursor"]
