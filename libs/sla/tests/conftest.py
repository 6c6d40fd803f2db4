from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from aftersales_calendar import default_calendar
from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database

from .kit import TUESDAY_10AM


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TUESDAY_10AM)


@pytest.fixture(scope="session")
def calendar():  # type: ignore[no-untyped-def]
    return default_calendar()


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def database(service_database_url: Callable[..., str]) -> AsyncIterator[Database]:
    db = Database.connect(service_database_url("tickets", suffix="sla"), pool_size=6)
    yield db
    await db.dispose()
