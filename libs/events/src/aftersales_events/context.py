"""Correlation and causation ids that ride from a request or an event into the events it causes."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from typing import NamedTuple

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


class Cause(NamedTuple):
    """What an event is caused by: the correlation it belongs to and the event (or nothing,
    for a request) that caused it. Carried by work that is written later than its cause is
    in scope: a consumer's deferred writes are flushed after the last handler, outside every
    event's ``correlation_scope``, so a writer that records events takes each item's cause
    with the item (``EventContext.cause``)."""

    correlation_id: str
    causation_id: str | None


def current_cause() -> Cause:
    """The cause in force (the request's or the event's being handled)."""
    return Cause(current_correlation_id(), current_causation_id())


class correlation_scope:  # noqa: N801 - used like the function it replaced
    """Sets the correlation and causation ids for the block (entered once per consumed event:
    a class, not a generator-based context manager, which cost twice as much)."""

    __slots__ = ("_causation_id", "_correlation_id", "_tokens")

    def __init__(self, correlation_id: str, causation_id: str | None = None) -> None:
        self._correlation_id = correlation_id
        self._causation_id = causation_id

    def __enter__(self) -> None:
        self._tokens = (_correlation_id.set(self._correlation_id), _causation_id.set(self._causation_id))

    def __exit__(self, *exc_info: object) -> None:
        correlation_token, causation_token = self._tokens
        _correlation_id.reset(correlation_token)
        _causation_id.reset(causation_token)
