"""Keyset pagination: ``?limit=&cursor=``; the cursor is opaque to clients.

A list fetches ``page.fetch_size`` rows (one more than the page, so it knows whether another
page follows), hands them to :func:`page_of` with the row's sort key, which cuts the page and
encodes the last row's key as the next cursor, and reads a cursor back, typed, with
:meth:`PageParams.after` (``page.after(datetime, uuid.UUID)``). Whatever a
client sends as ``cursor`` (not base64, not JSON, the wrong number of values, a value of the
wrong type for the list's sort key) ends as a 422 ``invalid-cursor`` problem naming the
``cursor`` parameter, never as a 500.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar, overload

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from .errors import DomainError

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")

MAX_CURSOR_LENGTH = 4096
"""Longer than any cursor a list issues; longer input is refused before it is decoded."""
_INT64 = range(-(2**63), 2**63)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null at the end.")


class InvalidCursor(DomainError):
    status = 422
    code = "invalid-cursor"
    title = "Invalid pagination cursor"

    def __init__(self, reason: str) -> None:
        detail = f"the cursor is not one this API issued ({reason}); omit it to start again"
        super().__init__(detail, parameter="cursor")


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    """The JSON list inside a cursor; :class:`InvalidCursor` for anything else."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor(f"longer than {MAX_CURSOR_LENGTH} characters")
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, RecursionError) as error:  # not ASCII, base64, UTF-8 or JSON; or nested too deep
        raise InvalidCursor("not base64-encoded JSON") from error
    if not isinstance(values, list):
        raise InvalidCursor("not a list of values")
    return values


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _datetime(value: Any) -> datetime:
    parsed = datetime.fromisoformat(_text(value))
    if parsed.utcoffset() is None:
        raise ValueError("a timestamp without a time zone")
    return parsed.astimezone(UTC)  # OverflowError when it falls outside the representable range


def _date(value: Any) -> date:
    return date.fromisoformat(_text(value))


def _uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(_text(value))


def _str(value: Any) -> str:
    text = _text(value)
    text.encode("utf-8")  # lone surrogates (from JSON's \ud800) cannot reach the database
    if "\x00" in text:
        raise ValueError("a NUL character")
    return text


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    if value not in _INT64:
        raise ValueError("out of the 64-bit range")
    return value


# Checked in order: datetime is a subclass of date.
_PARSERS: list[tuple[type[Any], Callable[[Any], Any]]] = [
    (datetime, _datetime),
    (date, _date),
    (uuid.UUID, _uuid),
    (str, _str),
    (int, _int),
]


def _parser(kind: type[Any]) -> Callable[[Any], Any]:
    for known, parse in _PARSERS:
        if kind is known:
            return parse
    raise TypeError(f"cursor keys of type {kind.__name__} are not supported")  # a programming error: fails loudly


def cursor_key(values: Sequence[Any], types: Sequence[type[Any]]) -> tuple[Any, ...]:
    """``values`` (a decoded cursor) as a sort key of ``types`` (datetime, date, UUID, str, int);
    :class:`InvalidCursor` when the shape or a value's type does not fit."""
    parsers = [_parser(kind) for kind in types]
    if len(values) != len(parsers):
        raise InvalidCursor(f"{len(values)} values, this list's cursors have {len(parsers)}")
    key = []
    for i, (value, parse, kind) in enumerate(zip(values, parsers, types, strict=True)):
        try:
            key.append(parse(value))
        except (ValueError, TypeError, OverflowError) as error:
            raise InvalidCursor(f"value {i + 1} is not a {kind.__name__}") from error
    return tuple(key)


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: list[Any] | None
    """The raw decoded values; read them with :meth:`after`, which checks their types."""

    @property
    def fetch_size(self) -> int:
        """How many rows a list query fetches: one more than the page, to see whether a next
        page exists (:func:`page_of` cuts it off)."""
        return self.limit + 1

    @overload
    def after(self, first: type[A], /) -> tuple[A] | None: ...
    @overload
    def after(self, first: type[A], second: type[B], /) -> tuple[A, B] | None: ...
    @overload
    def after(self, first: type[A], second: type[B], third: type[C], /) -> tuple[A, B, C] | None: ...
    def after(self, *types: type[Any]) -> tuple[Any, ...] | None:
        """The previous page's last sort key, typed as ``types``; None on the first page.

        ``if (after := page.after(datetime, uuid.UUID)) is not None:
        query = query.where(tuple_(T.created_at, T.id) > after)``
        """
        if self.cursor is None:
            return None
        return cursor_key(self.cursor, types)


def _cursor_value(value: Any) -> Any:
    """A sort-key value as a cursor holds it: dates and timestamps in ISO 8601 and UUIDs as
    text (what :func:`cursor_key` parses back); str and int as they are."""
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@overload
def page_of(rows: Sequence[R], page: PageParams, *, key: Callable[[R], Sequence[Any]]) -> Page[R]: ...
@overload
def page_of(
    rows: Sequence[R], page: PageParams, *, key: Callable[[R], Sequence[Any]], item: Callable[[R], T]
) -> Page[T]: ...
def page_of(
    rows: Sequence[Any],
    page: PageParams,
    *,
    key: Callable[[Any], Sequence[Any]],
    item: Callable[[Any], Any] | None = None,
) -> Page[Any]:
    """The page of ``rows`` (fetched with ``limit(page.fetch_size)``, in the list's order).

    ``key`` gives a row's sort key, the values the query's keyset condition compares
    (``lambda r: (r.created_at, r.id)``); the next cursor holds the page's last key, and is
    None when no row follows. ``item`` turns a row into what the page lists (default: the
    row itself); it is called for the page's rows only.
    """
    shown = rows[: page.limit]
    more = len(rows) > page.limit
    cursor = encode_cursor([_cursor_value(v) for v in key(shown[-1])]) if more and shown else None
    items = list(shown) if item is None else [item(row) for row in shown]
    return Page[Any](items=items, next_cursor=cursor)


async def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> PageParams:
    return page_from_query(limit, cursor)


def page_from_query(limit: int, cursor: str | None) -> PageParams:
    """``?limit=&cursor=`` as the list routes read them (an empty cursor is the first page)."""
    return PageParams(limit=limit, cursor=decode_cursor(cursor) if cursor else None)


PageDep = Annotated[PageParams, Depends(page_params)]
