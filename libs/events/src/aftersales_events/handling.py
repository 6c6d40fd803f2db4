"""What a handler is given and may raise: the event's context (its session, envelope and the
service's resources), and the errors that send a message to the DLQ at once."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .batching import BatchWriter, DeferredWrites, ItemT
from .context import Cause
from .envelope import EventEnvelope


@dataclass(frozen=True)
class EventContext:
    """What a handler gets: the open session (its effects commit with the dedupe row)."""

    session: AsyncSession
    envelope: EventEnvelope
    # The service's shared resources (its app state: clock, ports to outside systems).
    resources: Any = None
    # The runner's deferred writes; None when a handler is applied on its own (tests, tools).
    deferred: DeferredWrites | None = field(default=None, repr=False)

    @property
    def received_at(self) -> datetime:
        return self.envelope.time

    @functools.cached_property
    def event_id(self) -> str:
        """The envelope's id as text (the causation id, ledger sources): rendered once."""
        return str(self.envelope.id)

    @property
    def cause(self) -> Cause:
        """This event as the cause of what its handlers write: keep it with a deferred item
        that records events (the flush runs outside the event's correlation scope)."""
        return Cause(self.envelope.correlationid, self.event_id)

    async def write(self, writer: BatchWriter[ItemT], item: ItemT) -> None:
        """Writes ``item`` with ``writer``: at the end of the runner's batch, or now if none."""
        if self.deferred is None:
            await writer.write(self.session, [item])
        else:
            self.deferred.add(writer, item)


Handler = Callable[[EventContext, Any], Awaitable[None]]


class PermanentError(Exception):
    """Raised by a handler for a message that can never succeed: dead-letter at once."""


class UnknownEventVersion(PermanentError):
    """A version of an event this consumer handles in other versions only: parked, not ignored."""


def event_name(event_type: str) -> str:
    """``aftersales.returns.RefundApproved.v1`` → ``aftersales.returns.RefundApproved``."""
    name, _, version = event_type.rpartition(".")
    return name if name and version[:1] == "v" and version[1:].isdigit() else event_type
