from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from aftersales_chassis import create_app
from aftersales_chassis.testing import Tokens, app_client
from tickets_service.main import definition
from tickets_service.settings import TicketsSettings


@pytest.fixture(scope="session")
def tickets_db(service_database_url: Callable[..., str]) -> str:
    return service_database_url("tickets")


@pytest.fixture(scope="session")
async def client(
    tickets_db: str, kafka_bootstrap: str, jwt_secret: str, test_run_id: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = TicketsSettings(
        database_url=tickets_db,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=jwt_secret,
        log_json=False,
        sla_scheduler_enabled=False,
        consumer_group=f"tickets-{test_run_id}",
    )
    async with app_client(create_app(definition, settings=settings)) as http:
        yield http


@pytest.fixture(scope="session")
def tokens(jwt_secret: str) -> Tokens:
    return Tokens(jwt_secret)
