"""Writing events: an outbox row in the caller's transaction. Never a broker call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .catalogue import EventPayload
from .envelope import EventEnvelope
from .tables import outbox


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
        insert(outbox),
        [
            {
                "event_id": envelope.id,
                "topic": payload.topic(),
                "message_key": subject,
                "event_type": envelope.type,
                "envelope": envelope.model_dump(mode="json"),
            }
            for envelope, (payload, subject) in zip(envelopes, items, strict=True)
        ],
    )
    return envelopes
