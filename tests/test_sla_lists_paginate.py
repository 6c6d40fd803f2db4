"""Every service's `/sla/clocks` list pages by cursor, and a bad cursor is a 422 problem naming
`cursor`, never a 500. Returns and finance test their own lists; this covers the services
whose only list is the shared one (tickets, reviews, callcenter), each as its own app."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import Role, create_app
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import Tokens, app_client, assert_invalid_cursor, assert_next_page_differs, bad_cursors
from aftersales_sla import sla_clocks
from callcenter_service.main import definition as callcenter
from callcenter_service.settings import CallcenterSettings
from reviews_service.main import definition as reviews
from reviews_service.settings import ReviewsSettings
from tickets_service.main import definition as tickets
from tickets_service.settings import TicketsSettings

SERVICES = {
    "tickets": (tickets, TicketsSettings),
    "reviews": (reviews, ReviewsSettings),
    "callcenter": (callcenter, CallcenterSettings),
}


async def _two_clocks(database_url: str) -> None:
    """No policy of these services starts clocks yet: two rows written directly."""
    now = datetime.now(UTC)
    rows = [
        {"id": uuid.uuid4(), "step": "X1", "aggregate_type": "test", "aggregate_id": f"agg-{uuid.uuid4().hex[:10]}",
         "state": "running", "kind": "wall", "duration": "1 h", "started_at": now, "due_at": now + timedelta(hours=i),
         "warn_at": now}
        for i in (1, 2)
    ]  # fmt: skip
    engine = create_async_engine(asyncpg_url(database_url))
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(sla_clocks).values(rows))
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", params=list(SERVICES))
async def client(
    request: pytest.FixtureRequest,
    service_database_url: Callable[..., str],
    kafka_bootstrap: str,
    jwt_secret: str,
    test_run_id: str,
) -> AsyncIterator[httpx.AsyncClient]:
    name: str = request.param
    database_url = service_database_url(name)
    await _two_clocks(database_url)
    definition, settings_type = SERVICES[name]
    settings = settings_type(
        environment="test", database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap, jwt_secret=jwt_secret,
        log_json=False,
        sla_scheduler_enabled=False, consumer_group=f"{name}-lists-{test_run_id}",
    )  # fmt: skip
    async with app_client(create_app(definition, settings=settings)) as http:
        yield http


async def test_the_cursor_of_a_page_gets_the_next(client: httpx.AsyncClient, jwt_secret: str) -> None:
    await assert_next_page_differs(client, "/sla/clocks", Tokens(jwt_secret).headers(Role.supervisor))


@pytest.mark.parametrize(("name", "cursor"), list(bad_cursors(datetime, uuid.UUID).items()))
async def test_a_bad_cursor_is_a_422_naming_it(
    client: httpx.AsyncClient, jwt_secret: str, name: str, cursor: str
) -> None:
    headers = Tokens(jwt_secret).headers(Role.supervisor)
    response = await client.get("/sla/clocks", params={"cursor": cursor}, headers=headers)
    assert_invalid_cursor(response)
