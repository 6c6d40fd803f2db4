from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from aftersales_chassis import create_app
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens, app_client
from aftersales_devstack.services import TEST_POOL_SIZE
from aftersales_events import ConsumerRunner
from aftersales_events.kafka import make_producer
from finance_service.consumers import HANDLERS
from finance_service.main import definition
from finance_service.settings import FinanceSettings


@pytest.fixture(scope="session")
def finance_db(service_database_url: Callable[..., str]) -> str:
    return service_database_url("finance")


@pytest.fixture(scope="session")
async def database(finance_db: str) -> AsyncIterator[Database]:
    db = Database.connect(finance_db, pool_size=4)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
async def client(
    finance_db: str, kafka_bootstrap: str, jwt_secret: str, test_run_id: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = FinanceSettings(
        environment="test",
        db_pool_size=TEST_POOL_SIZE,  # five services' session apps and whole test stacks share one server
        database_url=finance_db,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=jwt_secret,
        log_json=False,
        # Its own group: the cross-service tests run a real finance service on the same broker.
        consumer_group=f"finance-{test_run_id}",
    )
    async with app_client(create_app(definition, settings=settings)) as http:
        yield http


@pytest.fixture(scope="session")
def tokens(jwt_secret: str) -> Tokens:
    return Tokens(jwt_secret)


@pytest.fixture(scope="session")
async def runner(database: Database, kafka_bootstrap: str) -> AsyncIterator[ConsumerRunner]:
    """The real consumer runner, driven message by message (``await runner.process(record)``)."""
    producer = make_producer(kafka_bootstrap, "finance-test")
    await producer.start()
    yield ConsumerRunner(
        service="finance",
        group_id=f"finance-test-{uuid.uuid4().hex[:6]}",
        bootstrap_servers=kafka_bootstrap,
        sessionmaker=database.sessionmaker,
        handlers=HANDLERS,
        dlq_producer=producer,
    )
    await producer.stop()
