"""Writing events: an outbox row in the caller's transaction. Never a broker call."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import asyncpg  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy import String, Uuid, bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from .catalogue import EventPayload
from .context import Cause
from .envelope import EncodedEvent, EventEnvelope, encode_events

OUTBOX_WRITTEN = "aftersales.outbox_written"
"""Set in a session's ``info`` once it wrote outbox rows: the unit of work wakes the relay
after its commit only then (a request that records no event costs the relay no poll)."""

# The columns an EncodedEvent fills, in its field order: a batch goes in as those tuples.
COPY_COLUMNS = ("event_id", "topic", "message_key", "event_type", "envelope", "source", "correlation_id")
# One event (a request that records one): a prepared INSERT is one round trip, where COPY is
# two (the COPY command, then the data); the envelope goes in as the text it already is.
INSERT_ONE = text(
    "INSERT INTO outbox (event_id, topic, message_key, event_type, envelope, source, correlation_id)"
    " VALUES (:event_id, :topic, :message_key, :event_type, CAST(:envelope AS json), :source, :correlation_id)"
).bindparams(
    bindparam("event_id", type_=Uuid()),
    *(bindparam(name, type_=String()) for name in COPY_COLUMNS[1:]),
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
    """One event by a prepared INSERT; a batch by binary COPY on the session's connection,
    inside its transaction.

    Bound as arrays (``INSERT … SELECT FROM unnest``), seven columns cost the driver about
    14 µs a row here, checking and encoding every element; COPY takes the rows as they
    are, at about half that, and is cheaper for the server too (ADR 0013).
    """
    session.info[OUTBOX_WRITTEN] = True
    if len(events) == 1:
        await session.execute(INSERT_ONE, dict(zip(COPY_COLUMNS, events[0], strict=True)))
        return
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if driver is None or not driver.is_in_transaction():
        # SQLAlchemy's asyncpg adapter begins the database transaction at its first statement:
        # a COPY before any statement would otherwise commit on its own.
        await session.execute(text("SELECT 1"))
        driver = raw.driver_connection
    assert driver is not None
    assert driver.is_in_transaction()
    try:
        await driver.copy_records_to_table("outbox", records=events, columns=COPY_COLUMNS)
    except asyncpg.PostgresError as error:
        # As SQLAlchemy reports a failed statement, so callers handle one kind of error.
        raise DBAPIError.instance("COPY outbox", None, error, asyncpg.PostgresError) from error
