"""The keyset half of a list query: rows after the previous page's last sort key, in key
order (or its reverse), one more than the page (``page_of`` cuts it and makes the next cursor)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.orm import QueryableAttribute

from .pagination import PageParams, cursor_key

Q = TypeVar("Q", bound=Select[Any])


def keyset(
    query: Q,
    page: PageParams,
    *columns: ColumnElement[Any] | QueryableAttribute[Any],
    descending: bool = False,
) -> Q:
    """``query`` narrowed to the page after ``page``'s cursor over ``columns``, ordered by them
    (ascending, or all descending: newest first) and limited to ``page.fetch_size``. The
    cursor's values are read as the columns' Python types, so a cursor of another list is a 422
    ``invalid-cursor``."""
    if page.cursor is not None:
        after = cursor_key(page.cursor, [column.type.python_type for column in columns])
        key = tuple_(*columns)
        query = query.where(key < after if descending else key > after)
    return query.order_by(*(column.desc() for column in columns) if descending else columns).limit(page.fetch_size)
