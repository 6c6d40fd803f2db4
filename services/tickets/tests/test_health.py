"""The tickets service starts on its real database and broker and says so."""

from __future__ import annotations

import httpx


async def test_it_is_alive_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
