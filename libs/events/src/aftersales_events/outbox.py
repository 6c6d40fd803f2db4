"""Writing events: an outbox row in the caller's transaction. Never a broker call."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Text, Uuid, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from .catalogue import EventPayload
from .context import Cause
from .envelope import EncodedEvent, EventEnvelope, encode_events

# A batch in one short statement of arrays (not one bind parameter per value): the server
# parses it once whatever the batch size.
INSERT_MANY = text(
    "INSERT INTO outbox (event_id, topic, message_key, event_type, envelope, source, correlation_id)"
    " SELECT event_id, topic, message_key, event_type, envelope::json, source, correlation_id"
    " FROM unnest(:event_id, :topic, :message_key, :event_type, :envelope, :source, :correlation_id)"
    " AS e(event_id, topic, message_key, event_type, envelope, source, correlation_id)"
).bindparams(
    bindparam("event_id", type_=ARRAY(Uuid())),
    *(
        bindparam(name, type_=ARRAY(Text()))
        for name in ("topic", "message_key", "event_type", "envelope", "source", "correlation_id")
    ),
)


async def record_event(session: AsyncSession, payload: EventPayload, *, subject: str, at: datetime) -> EventEnvelope:
    """Adds ``payload`` to the outbox inside the session's open transaction.

    The row commits, or rolls back, with the state change that caused it; the relay
    publishes it later. ``subject`` is the aggregate id and becomes the message key.
    """
    (event,) = encode_events([(payload, subject)], time=at)
    await _insert(session, [event])
    return EventEnvelope.model_validate_json(event.envelope_json)


async def record_events(
    session: AsyncSession,
    items: Sequence[tuple[EventPayload, str]],
    *,
    at: datetime,
    causes: Sequence[Cause | None] | None = None,
) -> list[uuid.UUID]:
    """Adds many ``(payload, subject)`` events in one statement; returns their event ids.

    ``causes``, one per item, for work written after its cause went out of scope (a
    consumer's deferred writes); None: the correlation and causation in force."""
    if not items:
        return []
    events = encode_events(items, time=at, causes=causes)
    await _insert(session, events)
    return [e.event_id for e in events]


async def _insert(session: AsyncSession, events: Sequence[EncodedEvent]) -> None:
    await session.execute(
        INSERT_MANY,
        {
            "event_id": [e.event_id for e in events],
            "topic": [e.topic for e in events],
            "message_key": [e.key for e in events],
            "event_type": [e.type for e in events],
            "envelope": [e.envelope_json for e in events],
            "source": [e.source for e in events],
            "correlation_id": [e.correlation_id for e in events],
        },
    )
