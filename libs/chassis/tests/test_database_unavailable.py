"""A database out of reach is a 503 problem with ``Retry-After``, never a 500 or a hang:
a refused connect, a connection the server terminated, a pool with no connection free. A
file missing in application code is not mistaken for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis.problem_handlers import RETRY_AFTER_SECONDS, install_problem_handlers
from aftersales_chassis.settings import asyncpg_url
from aftersales_devstack._proc import free_port


def _app(database_url: str) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    refused = create_async_engine(f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none")
    real = create_async_engine(asyncpg_url(database_url), pool_size=1, max_overflow=0, pool_timeout=0.5)

    @app.get("/refused")
    async def connect_refused() -> dict[str, int]:
        async with refused.connect() as conn:
            return {"one": int((await conn.execute(text("SELECT 1"))).scalar_one())}

    @app.get("/terminated")
    async def terminated_by_the_server() -> dict[str, int]:
        async with real.connect() as conn:  # what a fast shutdown or failover does to a session
            await conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
            return {"one": 1}

    @app.get("/pool-exhausted")
    async def pool_exhausted() -> dict[str, int]:
        async with real.connect() as held, real.connect():
            await held.execute(text("SELECT 1"))
        return {"one": 1}

    @app.get("/missing-file")
    async def missing_file() -> dict[str, str]:
        with open("/nonexistent/aftersales/file") as handle:  # noqa: ASYNC230
            return {"text": handle.read()}

    return app


@pytest_asyncio.fixture(loop_scope="session")
async def client(service_database_url: object) -> AsyncIterator[httpx.AsyncClient]:
    assert callable(service_database_url)
    app = _app(service_database_url("finance"))
    # Exceptions the app re-raises would surface here: each case must be answered and done
    # with (a re-raise after answering makes uvicorn drop the client's keep-alive connection).
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.mark.parametrize("path", ["/refused", "/terminated", "/pool-exhausted"])
async def test_database_out_of_reach_is_503_with_retry_after(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    body = response.json()
    assert body["type"] == "https://aftersales.dev/problems/database-unavailable"
    assert body["status"] == 503


async def test_a_missing_file_is_not_a_database_outage(client: httpx.AsyncClient) -> None:
    response = await client.get("/missing-file")
    assert response.status_code == 500
    assert "retry-after" not in response.headers
