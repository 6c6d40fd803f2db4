"""The outbox row commits, or rolls back, with the state change that caused it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import DBAPIError

from aftersales_events import Cause, EventEnvelope, correlation_scope, outbox, record_event, record_events
from aftersales_events.envelope import encode_events, new_event_ids

from .kit import EventsDb, count_effects, effects, now, thing_type, unique_producer


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


@pytest.mark.parametrize("first_write", ["the event", "a state change"])
async def test_events_are_written_inside_the_transaction_even_as_its_first_statement(
    events_db: EventsDb, first_write: str
) -> None:
    # Events go in by COPY on the session's connection. SQLAlchemy begins the database
    # transaction at the first statement, so an event written before any other statement
    # must still be inside it: rolled back with it, not committed on its own.
    thing = thing_type(unique_producer())
    subject = f"thing-{uuid.uuid4()}"

    async def write_then_fail() -> None:
        async with events_db.sessionmaker() as session, session.begin():
            if first_write == "a state change":
                await session.execute(
                    insert(effects).values(consumer="writer", event_id=uuid.uuid4(), thing_id=subject, quantity=1)
                )
            await record_events(session, [(thing(thing_id=subject, quantity=n), subject) for n in range(3)], at=now())
            query = select(func.count()).select_from(outbox).where(outbox.c.message_key == subject)
            assert await session.scalar(query) == 3
            raise Abort

    with pytest.raises(Abort):
        await write_then_fail()
    assert await _outbox_rows(events_db, subject) == []


async def test_a_failed_copy_is_reported_as_a_database_error_and_writes_nothing(events_db: EventsDb) -> None:
    # The same kind of error as a failed statement (the HTTP layer maps DBAPIError), and
    # the transaction keeps nothing of the batch.
    thing = thing_type(unique_producer())
    good, bad = (thing(thing_id="t", quantity=1), "fine"), (thing(thing_id="t", quantity=2), "NUL\x00key")

    async def write() -> None:
        async with events_db.sessionmaker() as session, session.begin():
            await record_events(session, [good, bad], at=now())

    with pytest.raises(DBAPIError) as raised:
        await write()
    assert getattr(raised.value.orig, "sqlstate", None) == "22021"  # text cannot hold NUL
    async with events_db.sessionmaker() as session:
        query = select(func.count()).select_from(outbox).where(outbox.c.topic == thing.topic())
        assert await session.scalar(query) == 0


async def test_one_event_is_one_insert_inside_the_transaction_and_fails_as_a_statement(events_db: EventsDb) -> None:
    # One event goes in by a prepared INSERT (one round trip; COPY takes two): as the first
    # statement it is still inside the transaction, and what the database refuses is a DBAPIError.
    thing = thing_type(unique_producer())
    subject = f"thing-{uuid.uuid4()}"
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(" ".join(statement.split()[:3]))

    async def write_then_fail() -> None:
        async with events_db.sessionmaker() as session, session.begin():
            await record_events(session, [(thing(thing_id=subject, quantity=1), subject)], at=now())
            assert sent == ["INSERT INTO outbox"]
            query = select(func.count()).select_from(outbox).where(outbox.c.message_key == subject)
            assert await session.scalar(query) == 1
            raise Abort

    engine = events_db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        with pytest.raises(Abort):
            await write_then_fail()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert await _outbox_rows(events_db, subject) == []
    with pytest.raises(DBAPIError) as raised:
        async with events_db.sessionmaker() as session, session.begin():
            await record_event(session, thing(thing_id="t", quantity=1), subject="NUL\x00key", at=now())
    assert getattr(raised.value.orig, "sqlstate", None) == "22021"


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
    # The relay's header values, beside the envelope (it does not parse the JSON for them).
    assert (row["source"], row["correlation_id"]) == (stored["source"], "corr-123")
    assert await count_effects(events_db.sessionmaker, thing_id=subject) == 1


async def test_a_batch_writes_each_event_as_the_envelope_model_renders_it(events_db: EventsDb) -> None:
    # record_events renders envelopes without building the model (the hot path); what it
    # stores must be exactly the envelope a consumer validates, for every payload type mixed
    # in one batch.
    first, second = thing_type(unique_producer()), thing_type(unique_producer())
    subjects = [f"thing-{uuid.uuid4()}" for _ in range(3)]
    at = now()
    async with events_db.sessionmaker() as session, session.begin():
        with correlation_scope("corr-batch", causation_id="cause-batch"):
            ids = await record_events(
                session,
                [
                    (first(thing_id=subjects[0], quantity=1), subjects[0]),
                    (second(thing_id=subjects[1], quantity=2), subjects[1]),
                    (first(thing_id=subjects[2], quantity=3), subjects[2]),
                ],
                at=at,
            )

    stored = {}
    for subject in subjects:
        (row,) = await _outbox_rows(events_db, subject)
        stored[subject] = row
    assert [stored[s]["event_id"] for s in subjects] == ids
    assert len(set(ids)) == 3
    for subject, payload_type, quantity in zip(subjects, [first, second, first], [1, 2, 3], strict=True):
        row = stored[subject]
        envelope = EventEnvelope.model_validate(row["envelope"])
        assert row["topic"] == payload_type.topic()
        assert row["event_type"] == envelope.type == payload_type.event_type()
        expected = EventEnvelope(
            id=row["event_id"], source=f"/aftersales/{payload_type.producer}", type=payload_type.event_type(),
            time=at, subject=subject, dataschema=f"urn:aftersales:schema:{payload_type.event_type()}",
            correlationid="corr-batch", causationid="cause-batch", data={"thing_id": subject, "quantity": quantity},
        )  # fmt: skip
        assert envelope == expected
        assert (row["source"], row["correlation_id"]) == (envelope.source, "corr-batch")
        assert payload_type.model_validate(envelope.data) == payload_type(thing_id=subject, quantity=quantity)


def test_wrap_gives_the_envelope_the_outbox_writes() -> None:
    thing = thing_type(unique_producer())
    at = now()
    envelope = EventEnvelope.wrap(thing(thing_id="t-1", quantity=5), subject="t-1", time=at)
    (encoded,) = encode_events([(thing(thing_id="t-1", quantity=5), "t-1")], time=at)
    assert encoded.event_id != envelope.id  # each rendering is a new event
    assert EventEnvelope.model_validate_json(encoded.envelope_json).model_copy(update={"id": envelope.id}) == envelope


@pytest.mark.parametrize("count", [0, 1, 500])
def test_event_ids_are_distinct_random_uuids_like_uuid4s(count: int) -> None:
    ids = new_event_ids(count)
    assert len(ids) == count
    assert len(set(ids)) == count
    for event_id in ids:
        assert isinstance(event_id, uuid.UUID)
        assert event_id.version == 4
        assert event_id.variant == uuid.RFC_4122
        parsed = uuid.UUID(str(event_id))  # behaves as the stdlib's own: equal, same hash, same text
        assert parsed == event_id
        assert hash(parsed) == hash(event_id)
        assert event_id.is_safe is uuid.SafeUUID.unknown


def test_each_event_takes_its_own_cause_or_the_one_in_force() -> None:
    thing = thing_type(unique_producer())
    items = [(thing(thing_id=f"t-{n}", quantity=n), f"t-{n}") for n in range(3)]
    with correlation_scope("request-correlation", causation_id="request-cause"):
        encoded = encode_events(items, time=now(), causes=[Cause("c-0", "e-0"), None, Cause("c-2", None)])
        with pytest.raises(ValueError, match="2 causes for 3 events"):
            encode_events(items, time=now(), causes=[None, None])
    envelopes = [EventEnvelope.model_validate_json(e.envelope_json) for e in encoded]
    assert [(e.correlationid, e.causationid) for e in envelopes] == [
        ("c-0", "e-0"),
        ("request-correlation", "request-cause"),  # None: the cause in force
        ("c-2", None),
    ]
