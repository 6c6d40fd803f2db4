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
from callcenter_service.consumers import HANDLERS
from callcenter_service.main import definition
from callcenter_service.settings import CallcenterSettings

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
def callcenter_db(service_database_url: Callable[..., str]) -> str:
    return service_database_url("callcenter")


@pytest.fixture(scope="session")
async def database(callcenter_db: str) -> AsyncIterator[Database]:
    """Direct access for what a test must arrange or observe beneath the API (the queue's
    claim under 50 concurrent claimers): up to 50 connections (25 + 25 overflow)."""
    db = Database.connect(callcenter_db, pool_size=25)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
def app(
    callcenter_db: str,
    kafka_bootstrap: str,
    jwt_secret: str,
    app_clock: DelegatingClock,
    test_run_id: str,
) -> FastAPI:
    settings = CallcenterSettings(
        environment="test",
        db_pool_size=TEST_POOL_SIZE,  # five services' session apps and whole test stacks share one server
        database_url=callcenter_db,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=jwt_secret,
        log_json=False,
        sla_scheduler_enabled=False,  # tests tick it by hand on the manual clock
        consumer_group=f"callcenter-{test_run_id}",  # the cross-service tests run a real one on the same broker
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
async def runner(
    client: httpx.AsyncClient, app: FastAPI, database: Database, kafka_bootstrap: str
) -> AsyncIterator[ConsumerRunner]:
    """The real consumer runner with the app's resources (its clock, calendar, settings),
    driven message by message (``await runner.process(consumer_record(envelope))``)."""
    producer = make_producer(kafka_bootstrap, "callcenter-test")
    await producer.start()
    yield ConsumerRunner(
        service="callcenter",
        group_id=f"callcenter-test-{uuid.uuid4().hex[:6]}",
        bootstrap_servers=kafka_bootstrap,
        sessionmaker=database.sessionmaker,
        handlers=HANDLERS,
        dlq_producer=producer,
        resources=app.state,
    )
    await producer.stop()
