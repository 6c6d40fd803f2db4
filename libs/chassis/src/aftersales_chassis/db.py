"""Engine and session factory, built in the app's lifespan (never at import time)."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import structlog
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from .settings import asyncpg_url

log = structlog.get_logger("chassis.db")

SERVER_SETTINGS = {"timezone": "UTC", "application_name": "aftersales"}
"""Session settings of every connection, the engine's and the driver pool's alike."""


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 10, pre_ping: bool = True, ping_after_idle: float = 0.5) -> Database:
        """``pre_ping`` tests a connection as it leaves the pool if it sat there idle for at
        least ``ping_after_idle`` seconds (see ``ping_idle_connections``). On by default; a hot
        path whose connections sit behind no proxy that drops idle ones may turn it off."""
        engine = create_async_engine(
            asyncpg_url(url),
            pool_size=pool_size,
            max_overflow=pool_size,
            connect_args={"server_settings": SERVER_SETTINGS},
        )
        if pre_ping:
            ping_idle_connections(engine, ping_after_idle)
        _driver_state(engine).ping_after = ping_after_idle if pre_ping else None
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False, autoflush=False))

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # readiness reports any failure as "not ready"
            return False
        return True

    async def dispose(self) -> None:
        await close_driver_pool(self.engine)
        await self.engine.dispose()


_IDLE_SINCE = "aftersales_idle_since"


def ping_idle_connections(engine: AsyncEngine, after_idle: float) -> None:
    """Pings a pooled connection on checkout only when it sat in the pool for ``after_idle``
    seconds or more, and replaces it if the ping fails.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout, and on asyncpg a ping is three
    round trips (``BEGIN``, ``;``, ``ROLLBACK``): under load, more than the request's own
    statements. A connection handed back moments ago was alive moments ago; what a ping
    catches (a server restart, a proxy or firewall dropping idle connections) happens to
    connections left idle. HikariCP skips its check the same way for a connection used within
    the last 500 ms (``aliveBypassWindowMs``). A connection that dies inside the window fails
    its request, which the problem handlers answer with 503 and ``Retry-After``, and the pool
    discards it. A connection new from the server is not pinged. ADR 0030."""

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _idle_from(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < after_idle:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: the pool replaces this connection (3 tries)
            message = f"pooled connection failed its ping after {after_idle:g}s idle"
            if engine.dialect.is_disconnect(error, dbapi_connection, None):  # type: ignore[arg-type]
                # The server went away (a restart): every connection older than now is gone
                # too, so the pool replaces them all, as SQLAlchemy's own pre-ping does.
                raise InvalidatePoolError(message) from error
            raise DisconnectionError(message) from error


@dataclass
class _DriverState:
    """What an engine's driver pool needs beside the engine: the pool once opened, the idle
    ping window (None: no ping), and when each connection (by server pid) was last used."""

    pool: asyncpg.Pool | None = None
    ping_after: float | None = None
    last_used: dict[int, float] = field(default_factory=dict)


_DRIVER: weakref.WeakKeyDictionary[Engine, _DriverState] = weakref.WeakKeyDictionary()
"""Per engine (its sync engine: the AsyncEngine is a proxy made anew by some calls), dropped with it."""
_DRIVER_ACQUIRE_TIMEOUT = 30.0  # seconds: SQLAlchemy's pool_timeout, answered 503 the same way
_DRIVER_CLOSE_TIMEOUT = 10.0  # seconds for borrowed connections to come back at dispose


def _driver_state(engine: AsyncEngine) -> _DriverState:
    return _DRIVER.setdefault(engine.sync_engine, _DriverState())


async def driver_pool(engine: AsyncEngine, *, init: Callable[[Any], Awaitable[None]] | None = None) -> asyncpg.Pool:
    """The engine's pool of plain asyncpg connections for ``driver_fetchrow``'s statements
    that stand on their own: the same server, user and session settings, at most the engine's
    ``pool_size`` connections, opened on first use (none for a service that sends no such
    statement) and closed by ``Database.dispose``. ``init`` runs on each new connection (a
    bench's statement logger); it applies only when this call creates the pool.

    Each such statement is one autocommit round trip that leaves no session state behind, so
    a connection goes back with no reset query (asyncpg's default sends one: a second round
    trip). SQLAlchemy's pool costs two greenlet switches per checkout and return, about as much
    CPU as the statement itself; asyncpg's own pool costs neither (ADR 0031)."""
    state = _driver_state(engine)
    pool = state.pool
    if pool is None:
        _, params = engine.dialect.create_connect_args(engine.url)
        cache_size = params.pop("prepared_statement_cache_size", None)
        if cache_size is not None:  # the URL's setting (0 behind PgBouncer), in asyncpg's words
            params["statement_cache_size"] = cache_size
        for adapter_only in ("prepared_statement_name_func", "async_creator_fn"):
            params.pop(adapter_only, None)
        size = engine.pool.size()  # type: ignore[attr-defined]
        pool = asyncpg.create_pool(
            **params, min_size=0, max_size=size, server_settings=SERVER_SETTINGS, init=init, reset=_no_reset
        )
        state.pool = pool
        await pool  # min_size 0: opens nothing, never suspends, so no second creator can race it
    return pool


async def close_driver_pool(engine: AsyncEngine) -> None:
    """Closes the driver pool, waiting a bounded time for borrowed connections to come back."""
    state = _driver_state(engine)  # its ping window stays: an engine may be used after dispose
    pool, state.pool = state.pool, None
    state.last_used.clear()
    if pool is not None:
        try:
            await asyncio.wait_for(pool.close(), _DRIVER_CLOSE_TIMEOUT)
        except TimeoutError:
            pool.terminate()


async def _no_reset(_connection: Any) -> None:
    return None


async def driver_fetchrow(session: AsyncSession, statement: str, *args: object) -> dict[str, Any] | None:
    """One statement sent by asyncpg itself (``$1``-style parameters), for a hot path whose
    whole work is that statement; its first row as a dict, or None.

    It skips SQLAlchemy's execution pipeline. When the session has already begun (a statement
    before this one), it runs on the session's connection, inside that transaction, and is
    committed or rolled back with it. When it is the session's first, it runs on a connection
    of the engine's ``driver_pool``, returned at once, as its own transaction (autocommit):
    one round trip, no ``BEGIN`` or ``COMMIT``, no ORM session or SQLAlchemy pool machinery;
    so write it as one statement that is whole on its own. A driver error, or no connection
    within 30 s, is raised as SQLAlchemy's ``DBAPIError`` (the problem handlers answer it: a
    503 for a lost or unobtainable connection); a connection found closed is discarded by the
    pool that holds it. ADR 0025, 0031."""
    if session.in_transaction():
        connection = await session.connection()
        return await _fetchrow(
            (await connection.get_raw_connection()).driver_connection, connection.invalidate, statement, args
        )
    engine = session.bind
    assert isinstance(engine, AsyncEngine), "driver_fetchrow needs a session bound to an AsyncEngine"
    pool = await driver_pool(engine)
    state = _driver_state(engine)
    last_used = state.last_used
    try:
        acquired = await _acquire_live(pool, last_used, state.ping_after)
    except Exception as error:  # refused, timed out, too many connections: unavailable now
        log.warning("db.driver_pool.acquire_failed", error=repr(error))  # a bad password shows here too
        raise DBAPIError(statement, args, error, connection_invalidated=True) from error
    try:
        return await _fetchrow(acquired, _discarded, statement, args)
    finally:
        await _release(pool, acquired, last_used)


async def _acquire_live(pool: asyncpg.Pool, last_used: dict[int, float], ping_after: float | None) -> Any:
    """A connection of the pool; one that sat idle past the ping window is pinged first (one
    round trip: ``SELECT 1`` outside any transaction) and, if dead, replaced. asyncpg notices a
    server's goodbye on an idle connection by itself; a ping catches what it cannot see (a
    proxy or firewall that dropped the connection without a word)."""
    for attempt in range(3):
        acquired = await pool.acquire(timeout=_DRIVER_ACQUIRE_TIMEOUT)
        idle_since = last_used.get(acquired.get_server_pid())
        if ping_after is None or idle_since is None or time.monotonic() - idle_since < ping_after:
            return acquired
        try:
            await acquired.execute("SELECT 1")
            return acquired
        except Exception:
            await _release(pool, acquired, last_used, used=False)  # closed: the pool drops it
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _release(pool: asyncpg.Pool, acquired: Any, last_used: dict[int, float], *, used: bool = True) -> None:
    """Back to the pool; a failure here (a connection that broke on its way back) is logged,
    never raised over the statement's own outcome."""
    try:
        pid: int | None = acquired.get_server_pid()
    except Exception:  # the pool detached it when its connection was lost
        pid = None
    try:
        await pool.release(acquired)
    except Exception as error:
        log.warning("db.driver_pool.release_failed", error=repr(error))
        used = False
    if pid is None:
        return
    if used:
        last_used[pid] = time.monotonic()
    else:
        last_used.pop(pid, None)


async def _discarded(_error: BaseException) -> None:
    """asyncpg's pool drops a connection that is closed when it comes back: nothing to do."""


async def _fetchrow(
    driver: Any, invalidate: Callable[[BaseException], Awaitable[None]], statement: str, args: tuple[object, ...]
) -> dict[str, Any] | None:
    try:
        row = await driver.fetchrow(statement, *args)
    except Exception as error:
        closed = _is_closed(driver)
        if closed:
            await invalidate(error)
        raise DBAPIError(statement, args, error, connection_invalidated=closed) from error
    return None if row is None else dict(row.items())


def _is_closed(driver: Any) -> bool:
    try:
        return bool(driver.is_closed())
    except Exception:  # a pool's proxy, detached by the pool when its connection was lost
        return True
