"""The outbox row commits, or rolls back, with the state change that caused it."""

from __future__ import annotations

import uuid

import pytest
from events_testkit import EventsDb, count_effects, effects, now, thing_type, unique_producer
from sqlalchemy import func, insert, select

from aftersales_events import correlation_scope, outbox, record_event


class Abort(Exception):
    pass


async def _outbox_rows(db: EventsDb, subject: str) -> list[dict[str, object]]:
    async with db.sessionmaker() as session:
        rows = await session.execute(select(outbox).where(outbox.c.message_key == subject))
        return [dict(row._mapping) for row in rows]


async def test_rolled_back_transaction_leaves_no_outbox_row(events_db: EventsDb) -> None:
    thing = thing_type(unique_producer())
    subject = f"thing-{uuid.uuid4()}"

    async def write_then_fail() -> None:
        async with events_db.sessionmaker() as session, session.begin():
            await session.execute(
                insert(effects).values(consumer="writer", event_id=uuid.uuid4(), thing_id=subject, quantity=1)
            )
            await record_event(session, thing(thing_id=subject, quantity=1), subject=subject, at=now())
            # The event is visible inside the transaction, so it really was written there ...
            query = select(func.count()).select_from(outbox).where(outbox.c.message_key == subject)
            assert await session.scalar(query) == 1
            raise Abort  # a later step of the same unit of work fails

    with pytest.raises(Abort):
        await write_then_fail()
    # ... and went away with the state change it described.
    assert await _outbox_rows(events_db, subject) == []
    assert await count_effects(events_db.sessionmaker, thing_id=subject) == 0


async def test_committed_transaction_writes_exactly_one_row(events_db: EventsDb) -> None:
    producer = unique_producer()
    thing = thing_type(producer)
    subject = f"thing-{uuid.uuid4()}"
    async with events_db.sessionmaker() as session, session.begin():
        await session.execute(
            insert(effects).values(consumer="writer", event_id=uuid.uuid4(), thing_id=subject, quantity=2)
        )
        with correlation_scope("corr-123", causation_id="cause-9"):
            envelope = await record_event(session, thing(thing_id=subject, quantity=2), subject=subject, at=now())

    rows = await _outbox_rows(events_db, subject)
    assert len(rows) == 1
    row = rows[0]
    assert row["event_id"] == envelope.id
    assert row["topic"] == f"{producer}.events"
    assert row["event_type"] == f"aftersales.{producer}.Thing.v1"
    assert row["published_at"] is None
    stored = row["envelope"]
    assert isinstance(stored, dict)
    assert stored["id"] == str(envelope.id)
    assert stored["subject"] == subject
    assert stored["source"] == f"/aftersales/{producer}"
    assert stored["specversion"] == "1.0"
    assert stored["correlationid"] == "corr-123"
    assert stored["causationid"] == "cause-9"
    assert stored["data"] == {"thing_id": subject, "quantity": 2}
    assert await count_effects(events_db.sessionmaker, thing_id=subject) == 1
