"""Engine and session factory, built in the app's lifespan (never at import time)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from .settings import asyncpg_url


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
            connect_args={"server_settings": {"timezone": "UTC", "application_name": "aftersales"}},
        )
        if pre_ping:
            ping_idle_connections(engine, ping_after_idle)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False, autoflush=False))

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # readiness reports any failure as "not ready"
            return False
        return True

    async def dispose(self) -> None:
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
            raise DisconnectionError(f"pooled connection failed its ping after {after_idle:g}s idle") from error


async def driver_fetchrow(session: AsyncSession, statement: str, *args: object) -> dict[str, Any] | None:
    """One statement sent by asyncpg itself (``$1``-style parameters), for a hot path whose
    whole work is that statement; its first row as a dict, or None.

    It skips SQLAlchemy's execution pipeline. When the session has already begun (a statement
    before this one), it runs on the session's connection, inside that transaction, and is
    committed or rolled back with it. When it is the session's first, it runs on a connection
    of its own from the engine's pool, returned at once, as its own transaction (autocommit):
    one round trip, no ``BEGIN`` or ``COMMIT``, no ORM session machinery; so write it as one
    statement that is whole on its own. A driver error is raised as SQLAlchemy's ``DBAPIError``
    (the problem handlers answer it: a 503 for a lost connection), and a connection found
    closed is invalidated, so the pool does not hand it out again. ADR 0025."""
    if session.in_transaction():
        connection = await session.connection()
        return await _fetchrow(
            (await connection.get_raw_connection()).driver_connection, connection.invalidate, statement, args
        )
    engine = session.bind
    assert isinstance(engine, AsyncEngine), "driver_fetchrow needs a session bound to an AsyncEngine"
    pooled = await engine.raw_connection()  # the pool's connection, without a Connection around it

    async def invalidate(error: BaseException) -> None:
        await greenlet_spawn(pooled.invalidate, error)

    try:
        return await _fetchrow(pooled.driver_connection, invalidate, statement, args)
    finally:
        await greenlet_spawn(pooled.close)  # back to the pool (which may close it: IO, so in a greenlet)


async def _fetchrow(
    driver: Any, invalidate: Callable[[BaseException], Awaitable[None]], statement: str, args: tuple[object, ...]
) -> dict[str, Any] | None:
    try:
        row = await driver.fetchrow(statement, *args)
    except Exception as error:
        closed = bool(driver.is_closed())
        if closed:
            await invalidate(error)
        raise DBAPIError(statement, args, error, connection_invalidated=closed) from error
    return None if row is None else dict(row.items())
