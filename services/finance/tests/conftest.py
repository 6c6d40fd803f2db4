from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from aftersales_chassis import create_app
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens, app_client
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
async def client(finance_db: str, kafka_bootstrap: str, jwt_secret: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = FinanceSettings(
        database_url=finance_db, kafka_bootstrap_servers=kafka_bootstrap, jwt_secret=jwt_secret, log_json=False
    )
    async with app_client(create_app(definition, settings=settings)) as http:
        yield http


@pytest.fixture(scope="session")
def tokens(jwt_secret: str) -> Tokens:
    return Tokens(jwt_secret)
