from __future__ import annotations

import secrets

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from aftersales_devstack.postgres import (
    MAX_CONNECTIONS,
    can_connect,
    drop_databases,
    ensure_databases,
    run_async,
)
from aftersales_devstack.pytest_plugin import ServiceDatabaseFactory
from aftersales_devstack.urls import database_name


async def _fetch_scalar(url: str, sql: str) -> object:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def test_pg_server_url_is_reachable(pg_server_url: str) -> None:
    assert can_connect(pg_server_url)


def test_the_server_allows_the_suites_connections(pg_server_url: str) -> None:
    """The embedded server raises its own limit; a given one is raised by CI (.ci/run)."""
    from aftersales_devstack.urls import libpq_url

    allowed = run_async(lambda: _fetch_scalar(libpq_url(pg_server_url), "SHOW max_connections"))
    assert int(str(allowed)) >= MAX_CONNECTIONS


def test_ensure_databases_creates_once_and_drop_removes(pg_server_url: str, test_run_id: str) -> None:
    name = f"{test_run_id}_probe_{secrets.token_hex(2)}"
    urls = ensure_databases(pg_server_url, [name])
    assert database_name(urls[name]) == name
    assert can_connect(urls[name])
    assert ensure_databases(pg_server_url, [name]) == urls  # already there: no error
    drop_databases(pg_server_url, [name])
    assert not can_connect(urls[name])


def test_service_database_is_migrated_and_reused(
    service_database_url: ServiceDatabaseFactory, test_run_id: str
) -> None:
    url = service_database_url("returns")
    assert database_name(url) == f"{test_run_id}_returns"
    assert service_database_url("returns") == url
    version = run_async(lambda: _fetch_scalar(url, "SELECT version_num FROM alembic_version"))
    assert isinstance(version, str)


def test_bare_database_has_no_migrations(
    service_database_url: ServiceDatabaseFactory,
) -> None:
    url = service_database_url("finance", suffix="empty", migrated=False)
    tables = run_async(lambda: _fetch_scalar(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
    assert tables == 0


async def test_factory_works_inside_a_running_event_loop(
    service_database_url: ServiceDatabaseFactory,
) -> None:
    url = service_database_url("tickets")
    assert await _fetch_scalar(url, "SELECT 1") == 1
