from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import ManualClock, create_app
from aftersales_chassis.testing import Tokens, app_client
from returns_service.main import definition
from returns_service.settings import ReturnsSettings


@pytest.fixture(scope="session")
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def returns_db(service_database_url: Callable[..., str]) -> str:
    return service_database_url("returns")


@pytest.fixture(scope="session")
def app(returns_db: str, kafka_bootstrap: str, jwt_secret: str, clock: ManualClock, test_run_id: str) -> FastAPI:
    settings = ReturnsSettings(
        database_url=returns_db,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=jwt_secret,
        log_json=False,
        sla_scheduler_enabled=False,  # tests tick it by hand on the manual clock
        # Its own group: the cross-service tests run a real returns service on the same broker.
        consumer_group=f"returns-{test_run_id}",
    )
    return create_app(definition, settings=settings, clock=clock)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app) as http:
        yield http


@pytest.fixture(scope="session")
def tokens(jwt_secret: str) -> Tokens:
    return Tokens(jwt_secret)
