"""Writing events: an outbox row in the caller's transaction. Never a broker call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Text, Uuid, bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from .catalogue import EventPayload
from .envelope import EventEnvelope
from .tables import outbox

# A batch in one short statement of arrays (not one bind parameter per value): the server
# parses it once whatever the batch size.
INSERT_MANY = text(
    "INSERT INTO outbox (event_id, topic, message_key, event_type, envelope)"
    " SELECT event_id, topic, message_key, event_type, envelope::jsonb"
    " FROM unnest(:event_id, :topic, :message_key, :event_type, :envelope)"
    " AS e(event_id, topic, message_key, event_type, envelope)"
).bindparams(
    bindparam("event_id", type_=ARRAY(Uuid())),
    *(bindparam(name, type_=ARRAY(Text())) for name in ("topic", "message_key", "event_type", "envelope")),
)


async def record_event(session: AsyncSession, payload: EventPayload, *, subject: str, at: datetime) -> EventEnvelope:
    """Adds ``payload`` to the outbox inside the session's open transaction.

    The row commits, or rolls back, with the state change that caused it; the relay
    publishes it later. ``subject`` is the aggregate id and becomes the message key.
    """
    envelope = EventEnvelope.wrap(payload, subject=subject, time=at)
    await session.execute(
        insert(outbox).values(
            event_id=envelope.id,
            topic=payload.topic(),
            message_key=subject,
            event_type=envelope.type,
            envelope=envelope.model_dump(mode="json"),
        )
    )
    return envelope


async def record_events(
    session: AsyncSession, items: Sequence[tuple[EventPayload, str]], *, at: datetime
) -> list[EventEnvelope]:
    """Adds many ``(payload, subject)`` events in one statement (scheduler batches)."""
    if not items:
        return []
    envelopes = [EventEnvelope.wrap(payload, subject=subject, time=at) for payload, subject in items]
    await session.execute(
        INSERT_MANY,
        {
            "event_id": [envelope.id for envelope in envelopes],
            "topic": [payload.topic() for payload, _ in items],
            "message_key": [subject for _, subject in items],
            "event_type": [envelope.type for envelope in envelopes],
            "envelope": [envelope.model_dump_json() for envelope in envelopes],
        },
    )
    return envelopes
