"""Builders the callback tests share."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text

from aftersales_chassis import Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens


def phone() -> str:
    return "139" + str(uuid.uuid4().int)[:8]


async def open_task(
    client: httpx.AsyncClient, tokens: Tokens, kind: str = "new_signup", **fields: Any
) -> dict[str, Any]:
    body = {"kind": kind, "source": f"test:{uuid.uuid4().hex[:12]}", "phone": phone(), **fields}
    response = await client.post("/callbacks", json=body, headers=tokens.headers(Role.service, subject="crm"))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def claim(client: httpx.AsyncClient, tokens: Tokens, agent: str = "ann") -> httpx.Response:
    return await client.post("/callback-queue/claim", headers=tokens.headers(Role.agent, subject=agent))


async def outcome(
    client: httpx.AsyncClient, tokens: Tokens, task_id: str, token: int, outcome: str, agent: str = "ann", **more: Any
) -> httpx.Response:
    return await client.post(
        f"/callbacks/{task_id}/outcome",
        json={"lease_token": token, "outcome": outcome, **more},
        headers=tokens.headers(Role.agent, subject=agent),
    )


async def empty_queue(database: Database) -> None:
    """Closes what earlier tests left open, so that a test's claims meet only its own tasks."""
    async with database.sessionmaker() as session, session.begin():
        await session.execute(text("UPDATE callback_tasks SET state = 'withdrawn' WHERE state = 'open'"))
