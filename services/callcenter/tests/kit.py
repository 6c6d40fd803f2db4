"""Builders any callcenter test folder may need."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from aftersales_chassis.db import Database


async def outbox(database: Database, key: str) -> list[tuple[str, dict[str, Any]]]:
    """The events recorded under message key ``key``, oldest first: (event name, data)."""
    async with database.sessionmaker() as session:
        rows = await session.execute(
            text("SELECT event_type, envelope FROM outbox WHERE message_key = :key ORDER BY id"), {"key": key}
        )
        return [(row[0].split(".")[2], row[1]["data"]) for row in rows]
