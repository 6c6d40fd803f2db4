from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import ManualClock, create_app
from aftersales_chassis.testing import DelegatingClock, Tokens, app_client
from aftersales_devstack.services import TEST_POOL_SIZE
from aftersales_sla.testing import fresh_test_clock
from tickets_service.main import definition
from tickets_service.settings import TicketsSettings

START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai: where every test's time begins


@pytest.fixture(scope="session")
def app_clock() -> DelegatingClock:
    """The session app's clock: each test points it at its own (see ``clock``)."""
    return DelegatingClock(ManualClock(START))


@pytest.fixture(autouse=True)
async def clock(request: pytest.FixtureRequest, app_clock: DelegatingClock) -> ManualClock:
    """This test's own time, starting at START whatever earlier tests did with theirs."""
    return await fresh_test_clock(request, app_clock, definition, START)


@pytest.fixture(scope="session")
def app(
    service_database_url: Callable[..., str],
    kafka_bootstrap: str,
    jwt_secret: str,
    app_clock: DelegatingClock,
    test_run_id: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> FastAPI:
    settings = TicketsSettings(
        environment="test",
        db_pool_size=TEST_POOL_SIZE,  # five services' session apps and whole test stacks share one server
        database_url=service_database_url("tickets"),
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=jwt_secret,
        log_json=False,
        sla_scheduler_enabled=False,  # tests tick it by hand on the manual clock
        consumer_group=f"tickets-{test_run_id}",  # the cross-service tests run a real one on the same broker
        storage_url=f"file:{tmp_path_factory.mktemp('attachments')}",  # evidence of this session only
    )
    return create_app(definition, settings=settings, clock=app_clock)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app) as http:
        yield http


@pytest.fixture(scope="session")
def tokens(jwt_secret: str) -> Tokens:
    return Tokens(jwt_secret)
