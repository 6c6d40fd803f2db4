"""Keyset pagination: ``?limit=&cursor=``; the cursor is opaque to clients."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from .errors import DomainError

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null at the end.")


class InvalidCursor(DomainError):
    status = 422
    code = "invalid-cursor"
    title = "Invalid pagination cursor"


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as error:
        raise InvalidCursor("the cursor is not one this API issued", parameter="cursor") from error
    if not isinstance(values, list):
        raise InvalidCursor("the cursor is not one this API issued", parameter="cursor")
    return values


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: list[Any] | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=decode_cursor(cursor) if cursor else None)


PageDep = Annotated[PageParams, Depends(page_params)]
