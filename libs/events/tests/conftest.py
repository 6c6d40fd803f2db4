"""Fixtures on top of aftersales_devstack.pytest_plugin: a fresh database per test, a producer.

Each test gets its own database, cloned from a session template that already holds the
platform tables and the test effects table, so the relay (which drains the whole outbox)
never sees another test's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.tables import chassis_metadata
from aftersales_devstack.broker import FETCH_MAX_WAIT_MS, SESSION_TIMEOUT_MS
from aftersales_devstack.urls import libpq_url, with_database
from aftersales_events import Handler
from aftersales_events.kafka import make_producer
from aftersales_events.tables import events_metadata

from .kit import EventsDb, RecordingRunner, RunnerFactory, ThingBase, effect_handler, test_metadata


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _admin(server_url: str, *statements: str) -> None:
    conn = await asyncpg.connect(libpq_url(server_url), timeout=30)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def events_template_db(pg_server_url: str, test_run_id: str) -> AsyncIterator[str]:
    name = f"{test_run_id}_events_tpl"
    drop = f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)"
    await _admin(pg_server_url, drop, f"CREATE DATABASE {_quote(name)}")
    engine = create_async_engine(asyncpg_url(with_database(pg_server_url, name)))
    try:
        async with engine.begin() as conn:
            for metadata in (events_metadata, chassis_metadata, test_metadata):
                await conn.run_sync(metadata.create_all)
    finally:
        await engine.dispose()  # a template must have no open connections when cloned
    yield name
    await _admin(pg_server_url, f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


@pytest_asyncio.fixture(loop_scope="session")
async def events_db(pg_server_url: str, events_template_db: str) -> AsyncIterator[EventsDb]:
    name = f"{events_template_db.removesuffix('_tpl')}_{uuid.uuid4().hex[:10]}"
    await _admin(pg_server_url, f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(events_template_db)}")
    url = with_database(pg_server_url, name)
    engine = create_async_engine(asyncpg_url(url), pool_size=5, max_overflow=5)
    try:
        yield EventsDb(url, engine, async_sessionmaker(engine, expire_on_commit=False))
    finally:
        await engine.dispose()
        await _admin(pg_server_url, f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


@pytest_asyncio.fixture(loop_scope="session")
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    client = make_producer(kafka_bootstrap, f"events-tests-{uuid.uuid4().hex[:6]}")
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


@pytest.fixture
def group_id() -> str:
    return f"tg-{uuid.uuid4().hex[:12]}"


@pytest_asyncio.fixture(loop_scope="session")
async def start_runner(
    events_db: EventsDb, producer: AIOKafkaProducer, kafka_bootstrap: str, group_id: str
) -> AsyncIterator[RunnerFactory]:
    """Starts real ConsumerRunners on the test database (default handler: one effect row); stops them after."""
    runners: list[RecordingRunner] = []

    async def start(
        thing: type[ThingBase], *, handler: Handler | None = None, group: str | None = None, **options: Any
    ) -> RecordingRunner:
        group = group or group_id
        runner = RecordingRunner(
            service="events-tests",
            group_id=group,
            bootstrap_servers=kafka_bootstrap,
            sessionmaker=events_db.sessionmaker,
            handlers={thing: handler or effect_handler(group)},
            dlq_producer=producer,
            **{"session_timeout_ms": SESSION_TIMEOUT_MS, "fetch_max_wait_ms": FETCH_MAX_WAIT_MS, **options},
        )
        await runner.start()
        runners.append(runner)
        return runner

    yield start
    for runner in runners:
        await runner.stop()
