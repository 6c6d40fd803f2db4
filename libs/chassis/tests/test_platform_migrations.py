"""The platform migration branch creates exactly the tables the code's MetaData describes,
upgrades a service database to every head, and downgrades to nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_calendar.store import calendar_metadata
from aftersales_chassis.migrate import alembic_config, upgrade
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.tables import chassis_metadata
from aftersales_devstack.postgres import drop_databases, ensure_databases
from aftersales_events.tables import events_metadata
from aftersales_sla import sla_metadata
from aftersales_workflow import workflow_metadata


@pytest_asyncio.fixture(loop_scope="session")
async def empty_db_url(pg_server_url: str, test_run_id: str) -> AsyncIterator[str]:
    name = f"{test_run_id}_chassis_platform"
    url = ensure_databases(pg_server_url, [name])[name]
    yield url
    drop_databases(pg_server_url, [name])


def _platform_metadata() -> MetaData:
    combined = MetaData()
    for metadata in (events_metadata, chassis_metadata, calendar_metadata, sla_metadata, workflow_metadata):
        for table in metadata.tables.values():
            table.to_metadata(combined)
    return combined


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return [d for d in compare_metadata(context, _platform_metadata()) if not _is_alembic_version(d)]


def _is_alembic_version(diff: object) -> bool:
    return isinstance(diff, tuple) and len(diff) > 1 and getattr(diff[1], "name", None) == "alembic_version"


def _tables(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


async def test_platform_branch_matches_metadata_and_downgrades_cleanly(empty_db_url: str) -> None:
    # Only the platform branch (the libraries' tables), not tickets' own revisions on top of it.
    await asyncio.to_thread(upgrade, "tickets", empty_db_url, "platform@head")
    engine = create_async_engine(asyncpg_url(empty_db_url))
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
        await asyncio.to_thread(command.downgrade, alembic_config("tickets", empty_db_url), "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == ["alembic_version"]
    finally:
        await engine.dispose()
