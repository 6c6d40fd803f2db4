"""The seam through which traces ride in events, without this library depending on OpenTelemetry.

The chassis installs hooks when a service's tracing is on (aftersales_chassis.tracing); with
none installed (the default) the outbox writes no ``traceparent`` and the consumer opens no
span: one module-global read per batch, nothing per event. The W3C ``traceparent`` rides in
the envelope as the CloudEvents distributed-tracing extension attribute, so the trace goes
from the request through the outbox row, the relay and the broker to the consumer.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol


class TraceHooks(Protocol):
    def current_traceparent(self) -> str | None:
        """The W3C traceparent of the span in force, or None."""

    def consuming(self, traceparent: str | None, event_type: str, topic: str) -> AbstractContextManager[object]:
        """A span for applying one event, child of the span that recorded it."""

    def flushing(self, traceparents: Sequence[str | None]) -> AbstractContextManager[object]:
        """A span for a batch's deferred writes (e.g. finance's bookings), made after the last
        handler: child of the first applied event's trace, linked to every other's."""


_hooks: TraceHooks | None = None


def install(hooks: TraceHooks | None) -> None:
    global _hooks
    _hooks = hooks


def hooks() -> TraceHooks | None:
    return _hooks


def current_traceparent() -> str | None:
    return None if _hooks is None else _hooks.current_traceparent()
