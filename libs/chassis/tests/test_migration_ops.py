"""The versioned migration helper creates exactly the tables the code's MetaData describes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis.migration_ops import create_platform_tables_v1, drop_platform_tables_v1
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.tables import chassis_metadata
from aftersales_devstack.postgres import drop_databases, ensure_databases
from aftersales_events.tables import events_metadata


@pytest_asyncio.fixture(loop_scope="session")
async def empty_db_url(pg_server_url: str, test_run_id: str) -> AsyncIterator[str]:
    name = f"{test_run_id}_chassis_migops"
    url = ensure_databases(pg_server_url, [name])[name]
    yield url
    drop_databases(pg_server_url, [name])


def _platform_metadata() -> MetaData:
    combined = MetaData()
    for metadata in (events_metadata, chassis_metadata):
        for table in metadata.tables.values():
            table.to_metadata(combined)
    return combined


def _upgrade_then_diff(connection: Connection) -> list[object]:
    with Operations.context(MigrationContext.configure(connection)):
        create_platform_tables_v1()
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return list(compare_metadata(context, _platform_metadata()))


def _downgrade(connection: Connection) -> list[str]:
    with Operations.context(MigrationContext.configure(connection)):
        drop_platform_tables_v1()
    return inspect(connection).get_table_names()


async def test_migration_matches_metadata_and_downgrades_cleanly(empty_db_url: str) -> None:
    engine = create_async_engine(asyncpg_url(empty_db_url))
    try:
        async with engine.begin() as conn:
            assert await conn.run_sync(_upgrade_then_diff) == []
        async with engine.begin() as conn:
            assert await conn.run_sync(_downgrade) == []
    finally:
        await engine.dispose()
