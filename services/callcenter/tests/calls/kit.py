"""Builders the call-log tests share."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens


def call_id() -> str:
    return f"PBX-{uuid.uuid4().hex[:10]}"


def event(call: str, kind: str, at: str, phone: str, wait: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"call_id": call, "kind": kind, "at": at, "phone": phone}
    if wait is not None:
        body["wait_seconds"] = wait
    return body


async def send(client: httpx.AsyncClient, tokens: Tokens, *events: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        "/calls/events", json={"events": list(events)}, headers=tokens.headers(Role.service, subject="pbx")
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body
