"""What the benchmarks share: a scratch database (the env's server, or an embedded one)
migrated for one service, and load-generating HTTP clients."""

from __future__ import annotations

import asyncio
import gc
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx

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


@contextmanager
def generator_gc_paused() -> Iterator[None]:
    """The load generator's own cycle collector stopped while it measures, then run once.

    A paced run counts each request's latency from its scheduled instant, so a pause of the
    generator's event loop counts as the service's latency. The generator's full collections
    were such pauses. Complaint intake paced at 200/s had bursts of 42 to 182 requests over
    50 ms in 11 of 28 rounds; each burst timed with a ``gc.callbacks`` hook (four) came with a
    full collection of the bench process (89 to 240 ms, about 170,000 objects), and none of
    the service. Paused: bursts in 6 of 66 rounds, with no full collection in either process (ADR
    0035). Collecting and freezing first leaves only the objects the measured window makes;
    its garbage is collected after it. Raw baselines measured in the same window are treated
    alike."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


@asynccontextmanager
async def http_clients(url: str, headers: dict[str, str], count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` clients, each on its own keep-alive connection, for a load generator's
    ``count`` concurrent senders: give each sender its own.

    Not one client with a pool of ``count``: httpx's pool checks every pooled connection (a
    poll and a getpeername each) on each request and each response, and its CPU per request
    grew from round to round. Paced at 200 requests/s against returns, one client with 32
    connections took 1.4, 2.7 and 3.1 ms of CPU a request in three rounds (p99 209, 833 and
    1,185 ms). Thirty-two single-connection clients took 1.5 ms in each round (p99 23–34 ms).
    The generator shares the machine's two cores with the services it measures."""
    # Idle connections dropped before uvicorn drops them (5 s): reusing one it just closed is a ReadError.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=2)
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60))
            for _ in range(count)
        ]
