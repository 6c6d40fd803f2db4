from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import ManualClock, create_app
from aftersales_chassis.db import Database
from aftersales_chassis.testing import DelegatingClock, Tokens, app_client
from aftersales_devstack.services import TEST_POOL_SIZE
from aftersales_events import ConsumerRunner
from aftersales_events.kafka import make_producer
from aftersales_sla.testing import fresh_test_clock
from reviews_service.consumers import HANDLERS
from reviews_service.main import definition
from reviews_service.settings import ReviewsSettings

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
) -> FastAPI:
    settings = ReviewsSettings(
        environment="test",
        db_pool_size=TEST_POOL_SIZE,  # five services' session apps and whole test stacks share one server
        database_url=service_database_url("reviews"),
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=jwt_secret,
        log_json=False,
        storage_url="memory:///",  # evidence bytes in memory: nothing left on disk
        sla_scheduler_enabled=False,  # tests tick it by hand on the manual clock
        consumer_group=f"reviews-{test_run_id}",  # the cross-service tests run a real one on the same broker
    )
    return create_app(definition, settings=settings, clock=app_clock)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app) as http:
        yield http


@pytest.fixture(scope="session")
def tokens(jwt_secret: str) -> Tokens:
    return Tokens(jwt_secret)


@pytest.fixture(scope="session")
async def database(service_database_url: Callable[..., str], app: FastAPI) -> AsyncIterator[Database]:
    """The reviews database (migrated by the session app), for the consumer runner and direct reads."""
    db = Database.connect(service_database_url("reviews"), pool_size=4)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
async def runner(database: Database, kafka_bootstrap: str, app: FastAPI) -> AsyncIterator[ConsumerRunner]:
    """The real consumer runner with the service's handlers, driven message by message."""
    producer = make_producer(kafka_bootstrap, "reviews-test")
    await producer.start()
    yield ConsumerRunner(
        service="reviews",
        group_id=f"reviews-test-{uuid.uuid4().hex[:6]}",
        bootstrap_servers=kafka_bootstrap,
        sessionmaker=database.sessionmaker,
        handlers=HANDLERS,
        dlq_producer=producer,
    )
    await producer.stop()
