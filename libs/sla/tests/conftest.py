from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from aftersales_calendar import WallClock, WorkingHours, default_calendar
from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database
from aftersales_sla import PolicyBook, SlaPolicy

# Tuesday 2026-11-24 10:00 in Shanghai: working time on an ordinary working day.
TUESDAY_10AM = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

POLICIES = PolicyBook(
    "tickets",
    [
        SlaPolicy(
            "C1",
            "wall-clock step",
            WallClock(timedelta(hours=1)),
            WallClock(timedelta(minutes=15)),
            role="agent",
            starts="test",
            stops="test",
        ),
        SlaPolicy(
            "C2",
            "working-time step",
            WorkingHours(timedelta(hours=2)),
            WorkingHours(timedelta(minutes=30)),
            role="agent",
            starts="test",
            stops="test",
        ),
    ],
)


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
