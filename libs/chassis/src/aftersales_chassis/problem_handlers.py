"""RFC 9457 problem+json for every error the platform returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aftersales_events.unavailable import database_unavailable

from .db_errors import refusal_of
from .errors import DomainError, RuleViolation

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://aftersales.dev/problems/"
log = structlog.get_logger("http.problem")


def problem(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": PROBLEM_BASE + code, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    sent = dict(headers or {})
    if status == 401:
        sent["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=sent or None)


RETRY_AFTER_SECONDS = 2
"""What a client is told to wait when the database is out of reach (a restart takes seconds)."""


def database_unavailable_problem(exc: Exception) -> JSONResponse:
    """503 with ``Retry-After``: the database restarts, fails over or has no connection free.
    Nothing of the request was committed (the unit of work commits last), so a retry is safe."""
    log.warning("http.database_unavailable", error=repr(exc))
    return problem(
        503,
        "database-unavailable",
        "The database is unavailable; retry shortly",
        f"Retry after {RETRY_AFTER_SECONDS} seconds; nothing of this request was stored.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


# Where a request carries a field: the first part of every field path a problem names.
FIELD_LOCATIONS = ("body", "query", "path", "header", "cookie")


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """The one shape of a field path, for validation and rule errors alike:
    ``body.lines[0].quantity``, ``query.month``, ``path.parcel_id``, ``body[3].scanned_at``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def error_message(error: Mapping[str, Any]) -> str:
    """A pydantic error's message, without the "Value error, " pydantic puts before what our
    own validators say."""
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ") if error.get("type") == "value_error" else message


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": field_path(err.get("loc", ())), "message": error_message(err), "code": err.get("type", "")}
        for err in exc.errors()
    ]
    fields = ", ".join(sorted({e["field"] for e in errors}))
    return problem(422, "validation-error", "Request validation failed", f"Invalid fields: {fields}", errors=errors)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem(exc.status, exc.code, exc.title, exc.detail, **exc.extensions)


BODY_NOT_PARSED = "There was an error parsing the body"
"""FastAPI's 400 for a body it cannot read at all (bytes that are not UTF-8, a broken form)."""


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == BODY_NOT_PARSED:
        # The body is invalid input like any other: the 422 every operation with a body
        # documents, naming the field, as for JSON that does not parse (json_invalid).
        errors = [{"field": "body", "message": BODY_NOT_PARSED, "code": "body_not_parsed"}]
        return problem(422, "validation-error", "Request validation failed", "Invalid fields: body", errors=errors)
    code = {404: "not-found", 405: "method-not-allowed", 401: "unauthenticated", 403: "forbidden"}
    return problem(exc.status_code, code.get(exc.status_code, "http-error"), str(exc.detail), None)


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    # A constraint refused the write: the state it would break is the client's conflict.
    log.warning("http.integrity_error", error=str(getattr(exc, "orig", exc)))
    return problem(409, "constraint-violation", "The change conflicts with stored data", str(getattr(exc, "orig", "")))


# character_not_in_repertoire (text: 0x00), untranslatable_character (jsonb: \u0000).
TEXT_NOT_STORABLE = frozenset({"22021", "22P05"})


async def _dbapi(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if database_unavailable(exc):
        return database_unavailable_problem(exc)
    orig = exc.orig
    sqlstate = refusal_of(exc).sqlstate
    if sqlstate in {"40001", "40P01"}:  # serialization failure / deadlock: safe to retry
        return problem(409, "retry", "Concurrent update, retry the request", None)
    if sqlstate in TEXT_NOT_STORABLE:
        # The client's text, not stored data, is at fault: a JSON "\u0000" is valid JSON and
        # a valid Python str, but PostgreSQL's text and jsonb cannot hold it.
        refused = RuleViolation("text.no-nul-character", "text must not contain the NUL character (\\u0000)")
        return await _domain(request, refused)
    if sqlstate and sqlstate.startswith("22"):
        # A data exception: a value the column cannot hold (an integer out of range, a date
        # before year 1), refused by the driver or the server. The request is at fault, not
        # stored data. Request types bound what they can (chassis.money, chassis.dates);
        # this is the net under what they miss.
        log.warning("http.invalid_value", error=str(orig))
        return problem(422, "invalid-value", "A value cannot be stored", str(orig))
    if sqlstate and sqlstate.startswith(("23", "P0")):  # integrity, raised by a trigger
        return problem(409, "constraint-violation", "The change conflicts with stored data", str(orig))
    log.exception("http.database_error")
    return problem(503, "database-unavailable", "Database error", None)


async def _os_or_timeout(request: Request, exc: Exception) -> JSONResponse:
    """A refused or cut connection, the unix socket gone, a connect or pool timeout: raised
    by the driver unwrapped. Handled here rather than by the catch-all, whose middleware
    re-raises after answering (uvicorn then drops the keep-alive connection under the
    client's next request)."""
    if database_unavailable(exc):
        return database_unavailable_problem(exc)
    log.exception("http.unhandled_error", path=request.url.path)
    return problem(500, "internal-error", "Internal server error", None)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    if database_unavailable(exc):  # a refused connect, a pool timeout: not wrapped as DBAPIError
        return database_unavailable_problem(exc)
    log.exception("http.unhandled_error", path=request.url.path)
    return problem(500, "internal-error", "Internal server error", None)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DBAPIError, _dbapi)
    app.add_exception_handler(OSError, _os_or_timeout)  # TimeoutError and ConnectionError included
    app.add_exception_handler(PoolTimeoutError, _os_or_timeout)
    app.add_exception_handler(Exception, _unhandled)
