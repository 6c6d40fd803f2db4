"""Every paginated list of the returns service: a cursor from the previous page gets the next
one; a bad cursor (malformed, or values that do not fit the list's sort key) is a 422 problem
naming `cursor`, never a 500."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import Role
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import (
    DelegatingClock,
    Tokens,
    assert_invalid_cursor,
    assert_next_page_differs,
    bad_cursors,
)
from returns_service.parcels.models import ParcelLogRun

from .kit import known_order, open_return
from .parcels.kit import ingest, scan, tracking_number

# Each list and the types of its sort key (what it passes to PageParams.after).
LISTS: dict[str, tuple[type[Any], ...]] = {
    "/returns": (datetime, uuid.UUID),
    "/refund-requests": (datetime, uuid.UUID),
    "/parcels": (datetime, uuid.UUID),
    "/parcels/unmatched": (datetime, uuid.UUID),
    "/parcels/unclaimed": (datetime, uuid.UUID),
    "/parcels/logs": (date,),
    "/sla/clocks": (datetime, uuid.UUID),
}
BAD = [
    pytest.param(path, cursor, id=f"{path}:{name}")
    for path, key in LISTS.items()
    for name, cursor in bad_cursors(*key).items()
]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def two_of_each(
    client: httpx.AsyncClient, tokens: Tokens, app_clock: DelegatingClock, returns_db: str
) -> AsyncIterator[None]:
    """At least two rows in every list, so each has a second page."""
    for _ in range(2):
        await open_return(client, tokens)  # a return, and its T1A3 clock
        opened = await client.post(
            "/refund-requests",
            json={"order_id": await known_order(client, tokens), "reason": "no longer needed", "channel": "wangwang"},
            headers=tokens.headers(Role.agent),
        )
        assert opened.status_code == 201, opened.text
    body = await ingest(
        client, tokens, [scan(app_clock, tracking_number(), sender_name="Nobody Known") for _ in range(2)]
    )
    for parcel in body["parcels"]:
        marked = await client.post(
            f"/parcels/{parcel['parcel_id']}/unclaimed", json={"note": "nobody"}, headers=tokens.headers(Role.agent)
        )
        assert marked.status_code == 200, marked.text
    await ingest(client, tokens, [scan(app_clock, tracking_number(), sender_name="Nobody Known") for _ in range(2)])
    engine = create_async_engine(asyncpg_url(returns_db))
    try:
        async with engine.begin() as connection:  # daily logs come from the 09:00 job: two old days' directly
            now = datetime.now(UTC)
            runs = [
                {"run_date": date(2001, 1, day), "scheduled_for": now, "ran_at": now, "parcels": 0, "matched": 0,
                 "unmatched": 0, "unclaimed": 0}
                for day in (8, 9)
            ]  # fmt: skip
            await connection.execute(insert(ParcelLogRun).values(runs).on_conflict_do_nothing())
    finally:
        await engine.dispose()
    yield


@pytest.mark.parametrize("path", list(LISTS))
@pytest.mark.usefixtures("two_of_each")
async def test_the_cursor_of_a_page_gets_the_next(client: httpx.AsyncClient, tokens: Tokens, path: str) -> None:
    await assert_next_page_differs(client, path, tokens.headers(Role.supervisor))


@pytest.mark.parametrize(("path", "cursor"), BAD)
async def test_a_bad_cursor_is_a_422_naming_it(
    client: httpx.AsyncClient, tokens: Tokens, path: str, cursor: str
) -> None:
    assert_invalid_cursor(await client.get(path, params={"cursor": cursor}, headers=tokens.headers(Role.supervisor)))
