"""The service's paginated list (`/sla/clocks`): a cursor from the previous page gets the next
one; a bad cursor is a 422 problem naming `cursor`, never a 500."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import Role
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import Tokens, assert_invalid_cursor, bad_cursors
from aftersales_sla import sla_clocks


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def two_clocks(reviews_db: str) -> AsyncIterator[None]:
    """No policy of this service starts clocks yet: two rows written directly."""
    now = datetime.now(UTC)
    rows = [
        {"id": uuid.uuid4(), "step": "X1", "aggregate_type": "test", "aggregate_id": f"agg-{uuid.uuid4().hex[:10]}",
         "state": "running", "kind": "wall", "duration": "1 h", "started_at": now, "due_at": now + timedelta(hours=i),
         "warn_at": now}
        for i in (1, 2)
    ]  # fmt: skip
    engine = create_async_engine(asyncpg_url(reviews_db))
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(sla_clocks).values(rows))
    finally:
        await engine.dispose()
    yield


@pytest.mark.usefixtures("two_clocks")
async def test_the_cursor_of_a_page_gets_the_next(client: httpx.AsyncClient, tokens: Tokens) -> None:
    headers = tokens.headers(Role.supervisor)
    first = await client.get("/sla/clocks", params={"limit": 1}, headers=headers)
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor is not None
    second = await client.get("/sla/clocks", params={"limit": 1, "cursor": cursor}, headers=headers)
    assert second.status_code == 200, second.text
    [one], [two] = first.json()["items"], second.json()["items"]
    assert one["id"] != two["id"]


@pytest.mark.parametrize(("name", "cursor"), list(bad_cursors(datetime, uuid.UUID).items()))
async def test_a_bad_cursor_is_a_422_naming_it(
    client: httpx.AsyncClient, tokens: Tokens, name: str, cursor: str
) -> None:
    response = await client.get("/sla/clocks", params={"cursor": cursor}, headers=tokens.headers(Role.supervisor))
    assert_invalid_cursor(response)
