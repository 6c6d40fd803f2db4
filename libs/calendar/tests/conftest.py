"""A throwaway service carrying only the calendar routes, started for real (engine, producer,
relay) on a migrated service database from aftersales_devstack.pytest_plugin."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest_asyncio
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from aftersales_calendar import default_calendar
from aftersales_calendar.api import calendar_router
from aftersales_calendar.store import CalendarProvider, calendar_overrides
from aftersales_chassis import ManualClock, ServiceDefinition, ServiceSettings, create_app
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import DelegatingClock, Tokens, kept_logging

from .kit import CalendarHarness

START = datetime(2025, 3, 3, 2, tzinfo=UTC)  # Monday 10:00 in Shanghai


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def calendar_db_url(service_database_url: object) -> str:
    return service_database_url("tickets", suffix="calendar")  # type: ignore[operator,no-any-return]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def calendar_service(
    calendar_db_url: str, kafka_bootstrap: str, jwt_secret: str
) -> AsyncIterator[CalendarHarness]:
    settings = ServiceSettings(
        database_url=calendar_db_url, kafka_bootstrap_servers=kafka_bootstrap, jwt_secret=jwt_secret, log_json=False
    )
    # max_age=0: every request re-reads the overrides, so the tests need no waiting.
    provider = CalendarProvider(default_calendar(), max_age=0)
    clock = DelegatingClock(ManualClock(START))
    definition = ServiceDefinition(
        name=f"calendar{uuid.uuid4().hex[:8]}",
        title="Calendar test service",
        description="Only the calendar routes.",
        settings_factory=lambda: settings,
        routers=[calendar_router(provider)],
    )
    app = create_app(definition, settings=settings, clock=clock)
    engine = create_async_engine(asyncpg_url(calendar_db_url))
    try:
        with kept_logging():
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
            ):
                sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
                yield CalendarHarness(app, client, sessionmaker, provider, Tokens(jwt_secret), ManualClock(START))
    finally:
        await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def service(calendar_service: CalendarHarness) -> AsyncIterator[CalendarHarness]:
    """The session's service, on a clock of this test's own (no test sees another's time)."""
    clock = ManualClock(START)
    calendar_service.app.state.clock.use(clock)
    yield dataclasses.replace(calendar_service, clock=clock)
    async with calendar_service.sessionmaker.begin() as session:
        await session.execute(delete(calendar_overrides))
    calendar_service.provider.invalidate()
