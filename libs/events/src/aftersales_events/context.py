"""Correlation and causation ids that ride from a request or an event into the events it causes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str:
    """The correlation id in force, or a fresh one when nothing set it (a scheduled job)."""
    value = _correlation_id.get()
    if value is None:
        value = new_correlation_id()
        _correlation_id.set(value)
    return value


def current_causation_id() -> str | None:
    return _causation_id.get()


@contextmanager
def correlation_scope(correlation_id: str, causation_id: str | None = None) -> Iterator[None]:
    corr_token = _correlation_id.set(correlation_id)
    cause_token = _causation_id.set(causation_id)
    try:
        yield
    finally:
        _correlation_id.reset(corr_token)
        _causation_id.reset(cause_token)
