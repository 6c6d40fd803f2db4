"""Helpers for the finance tests: broker records, envelopes, bookings and balances over HTTP."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

import httpx
from aiokafka import ConsumerRecord

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import CATALOGUE, EventEnvelope, EventPayload

_offsets = itertools.count(1)


def record(envelope: EventEnvelope) -> ConsumerRecord[bytes, bytes]:
    """A broker record carrying ``envelope`` as the consumer would receive it."""
    return ConsumerRecord(
        topic=CATALOGUE[envelope.type].topic(),
        partition=0,
        offset=next(_offsets),
        timestamp=0,
        timestamp_type=0,
        key=envelope.subject.encode(),
        value=envelope.to_bytes(),
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=(),
    )


def wrap(payload: EventPayload, subject: str = "s") -> EventEnvelope:
    return EventEnvelope.wrap(payload, subject=subject, time=datetime.now(UTC))


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
