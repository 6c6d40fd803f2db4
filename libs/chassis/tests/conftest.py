"""The chassis test service, started for real (engine, producer, relay) against the session's
PostgreSQL and broker from aftersales_devstack.pytest_plugin."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx
import pytest_asyncio
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from aftersales_chassis import ServiceSettings
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.tables import chassis_metadata
from aftersales_chassis.testing import kept_logging
from aftersales_devstack.urls import libpq_url, with_database
from aftersales_events.tables import events_metadata

from .kit import Harness, build_app, test_metadata


async def _admin(server_url: str, statement: str) -> None:
    conn = await asyncpg.connect(libpq_url(server_url), timeout=30)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def chassis_db_url(pg_server_url: str, test_run_id: str) -> AsyncIterator[str]:
    name = f"{test_run_id}_chassis_{uuid.uuid4().hex[:6]}"
    await _admin(pg_server_url, f'CREATE DATABASE "{name}"')
    url = with_database(pg_server_url, name)
    engine = create_async_engine(asyncpg_url(url))
    try:
        async with engine.begin() as conn:
            for metadata in (events_metadata, chassis_metadata, test_metadata):
                await conn.run_sync(metadata.create_all)
    finally:
        await engine.dispose()
    yield url
    await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def harness(chassis_db_url: str, kafka_bootstrap: str, jwt_secret: str) -> AsyncIterator[Harness]:
    """One running app for the session: its lifespan really starts the engine, producer and relay."""
    service = f"chassis{uuid.uuid4().hex[:8]}"
    settings = ServiceSettings(
        database_url=chassis_db_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        jwt_secret=jwt_secret,
        log_json=False,
    )
    app = build_app(service, settings)
    engine = create_async_engine(asyncpg_url(chassis_db_url))
    try:
        with kept_logging():
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
            ):
                yield Harness(
                    service=service,
                    app=app,
                    client=client,
                    sessionmaker=async_sessionmaker(engine, expire_on_commit=False),
                    jwt_secret=jwt_secret,
                    kafka_bootstrap=kafka_bootstrap,
                )
    finally:
        await engine.dispose()
