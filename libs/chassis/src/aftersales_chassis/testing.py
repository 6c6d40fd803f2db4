"""Helpers for every test of the platform: run an app's real lifespan and talk to it in-process,
wait for what happens in the background (``eventually``), give each test its own time
(``DelegatingClock``), keep process-wide logging as it was (``kept_logging``).

Test support only: no production module imports it (a fitness test in ``tests/fitness`` checks).
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date, datetime
from typing import Any, TypeVar, overload

import httpx
import structlog
from fastapi import FastAPI

from .auth import Role, mint_token
from .clock import Clock
from .pagination import MAX_CURSOR_LENGTH, encode_cursor

T = TypeVar("T")


@overload
async def eventually(
    probe: Callable[[], Awaitable[T]], *, timeout: float = ..., interval: float = ..., message: str = ...
) -> T: ...
@overload
async def eventually(
    probe: Callable[[], T], *, timeout: float = ..., interval: float = ..., message: str = ...
) -> T: ...
async def eventually(
    probe: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.05, message: str = ""
) -> Any:
    """Calls ``probe`` (sync or async) every ``interval`` seconds until it returns something
    truthy, and returns that. An ``AssertionError`` from the probe counts as "not yet" (so a
    probe may assert). At the deadline the test fails with ``message`` and the last value (or
    assertion) seen; any other exception fails it at once.

    The default deadline is generous: it only costs time when the test fails anyway, and a
    consumer group joining on a busy machine can take several seconds.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        failure: AssertionError | None = None
        try:
            value = probe()
            if inspect.isawaitable(value):
                value = await value
        except AssertionError as error:
            failure, value = error, error
        if failure is None and value:
            return value
        if loop.time() >= deadline:
            what = message or getattr(probe, "__qualname__", repr(probe))
            raise AssertionError(f"{what}: not so after {timeout:g}s; last seen: {value!r}") from failure
        await asyncio.sleep(interval)


class DelegatingClock:
    """The clock of an app that starts once per session while each test has its own time: the
    per-test fixture points it at that test's fresh ``ManualClock`` (``use``), so no test sees
    the time another test set."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> datetime:
        return self._clock.now()

    def use(self, clock: Clock) -> None:
        self._clock = clock


@contextmanager
def kept_logging() -> Iterator[None]:
    """A service's lifespan configures process-wide logging onto the stderr pytest captures:
    put the root handlers, level and structlog config back afterwards."""
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**config)


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


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


# Cursors no list issues, whatever its sort key.
MALFORMED_CURSORS: dict[str, str] = {
    "garbage": "garbage",
    "not-base64": "%%%not-ours",
    "bad-padding": "abc",
    "not-ascii": "游标",
    "not-json": _b64(b"not json"),
    "not-utf8": _b64(b"\xff\xfe\x00"),
    "json-object": _b64(b'{"id": 1}'),
    "json-string": _b64(b'"2026-11-23"'),
    "nested-too-deep": _b64(b"[" * 1200),
    "too-long": "A" * (MAX_CURSOR_LENGTH + 4),
}

# A value that fits each kind of sort key, and values that do not.
_FITS: dict[type[Any], Any] = {
    datetime: "2026-11-23T07:00:00+00:00",
    date: "2026-11-23",
    uuid.UUID: "0b0e7c9e-8f6a-4bb0-9d4c-3e2c5a1f0c11",
    str: "K-1001",
    int: 7,
}
_MISFITS: dict[type[Any], dict[str, Any]] = {
    datetime: {
        "not-a-timestamp": "yesterday",
        "no-time-zone": "2026-11-23T07:00:00",
        "out-of-range": "0001-01-01T00:00:00+14:00",
        "number": 1764000000,
        "null": None,
    },
    date: {"not-a-date": "23/11/2026", "timestamp": "2026-11-23T07:00:00+00:00", "number": 20261123},
    uuid.UUID: {"not-a-uuid": "not-a-uuid", "number": 42, "list": ["0b0e7c9e-8f6a-4bb0-9d4c-3e2c5a1f0c11"]},
    str: {"number": 42, "null": None, "nul-character": "a\x00b", "lone-surrogate": "\ud800"},
    int: {"string": "7", "float": 7.5, "bool": True, "beyond-int64": 2**63},
}


def bad_cursors(*key: type[Any]) -> dict[str, str]:
    """Cursors a list whose sort key has the types ``key`` (as given to ``PageParams.after``)
    must refuse with a 422 ``invalid-cursor`` problem, by name (for ``pytest.mark.parametrize``):
    the malformed ones, the wrong number of values, and each value of a wrong type in turn."""
    fits = [_FITS[kind] for kind in key]
    cursors = dict(MALFORMED_CURSORS)
    cursors["no-values"] = encode_cursor([])
    cursors["one-value-too-many"] = encode_cursor([*fits, fits[-1]])
    if len(fits) > 1:
        cursors["one-value-too-few"] = encode_cursor(fits[:-1])
    for i, kind in enumerate(key):
        for name, misfit in _MISFITS[kind].items():
            cursors[f"value{i + 1}-{name}"] = encode_cursor([*fits[:i], misfit, *fits[i + 1 :]])
    return cursors


def assert_invalid_cursor(response: httpx.Response) -> None:
    """The 422 problem a list answers a bad ``cursor`` with, naming the parameter."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/invalid-cursor"), body
    assert body["parameter"] == "cursor", body


async def assert_next_page_differs(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> None:
    """Page one (one item) hands out a cursor, and that cursor gets a different item."""
    first = await client.get(path, params={"limit": 1}, headers=headers)
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor is not None, first.text
    second = await client.get(path, params={"limit": 1, "cursor": cursor}, headers=headers)
    assert second.status_code == 200, second.text
    [one], [two] = first.json()["items"], second.json()["items"]
    assert one != two
