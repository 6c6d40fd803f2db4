"""Engine and session factory, built in the app's lifespan (never at import time)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import greenlet_spawn

from .settings import asyncpg_url


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 10, pre_ping: bool = True) -> Database:
        """``pre_ping`` tests each connection as it leaves the pool (a transaction and a
        statement on asyncpg: extra round trips on every checkout). On by default; a hot path
        whose connections sit behind no proxy that drops idle ones may turn it off."""
        engine = create_async_engine(
            asyncpg_url(url),
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=pre_ping,
            connect_args={"server_settings": {"timezone": "UTC", "application_name": "aftersales"}},
        )
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
