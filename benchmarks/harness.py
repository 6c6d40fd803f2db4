"""A scratch database (the env's server, or an embedded one) migrated for one service."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from aftersales_chassis.migrate import upgrade
from aftersales_devstack.postgres import EmbeddedPostgres, drop_databases, ensure_databases


@contextmanager
def scratch_database(service: str) -> Iterator[str]:
    """Yields the URL of a fresh, migrated database; drops it (and any embedded server) after."""
    given = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    tmp: Path | None = None
    server: EmbeddedPostgres | None = None
    if given is None:
        tmp = Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
        server = EmbeddedPostgres(tmp / "data", remove_on_stop=tmp)
        given = server.url
    name = f"bench_{service}_{secrets.token_hex(3)}"
    url = ensure_databases(given, [name])[name]
    try:
        upgrade(service, url)
        yield url
    finally:
        drop_databases(given, [name])
        if server is not None:
            server.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def outbox_drained(url: str) -> float:
    """Seconds until a service's relay has published every outbox row (so its backlog does
    not run into the next measurement)."""
    conn = await asyncpg.connect(libpq(url))
    started = time.perf_counter()
    try:
        for _ in range(30_000):  # 5 minutes
            if not await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
                return time.perf_counter() - started
            await asyncio.sleep(0.01)
        raise TimeoutError("the relay did not publish the backlog within 5 minutes")
    finally:
        await conn.close()
