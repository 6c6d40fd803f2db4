from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from aftersales_chassis import create_app
from aftersales_chassis.testing import Tokens, app_client
from callcenter_service.main import definition
from callcenter_service.settings import CallcenterSettings


@pytest.fixture(scope="session")
def callcenter_db(service_database_url: Callable[..., str]) -> str:
    return service_database_url("callcenter")


@pytest.fixture(scope="session")
async def client(
    callcenter_db: str, kafka_bootstrap: str, jwt_secret: str, test_run_id: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = CallcenterSettings(
        database_url=callcenter_db,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=jwt_secret,
        log_json=False,
        sla_scheduler_enabled=False,
        consumer_group=f"callcenter-{test_run_id}",
    )
    async with app_client(create_app(definition, settings=settings)) as http:
        yield http


@pytest.fixture(scope="session")
def tokens(jwt_secret: str) -> Tokens:
    return Tokens(jwt_secret)
