"""Helpers for service tests: run an app's real lifespan and talk to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from .auth import Role, mint_token


@asynccontextmanager
async def app_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Starts the app's lifespan (real engine, producer, relay, consumers) and yields a client."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


class Tokens:
    """Mints bearer headers for tests: ``tokens.headers(Role.agent)``."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def headers(
        self, *roles: Role, subject: str | None = None, scopes: Iterable[str] = (), merchant_id: str | None = None
    ) -> dict[str, str]:
        token = mint_token(
            self.secret,
            subject=subject or f"test-{roles[0].value}",
            roles=roles,
            scopes=scopes,
            merchant_id=merchant_id,
        )
        return {"Authorization": f"Bearer {token}"}
