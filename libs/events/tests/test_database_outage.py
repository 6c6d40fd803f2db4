"""A consumer meeting a database out of reach waits for it instead of spending the
message's attempts (and dead-lettering a good event) - ADR 0027. A handler's own failure
still goes to the DLQ after ``max_attempts``."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped,unused-ignore]
from aiokafka import AIOKafkaProducer, ConsumerRecord
from sqlalchemy.exc import DBAPIError

from aftersales_events import ConsumerRunner, EventContext
from aftersales_events.unavailable import database_unavailable

from .kit import EventsDb, ThingBase, count_effects, effect_handler, envelope_bytes, thing_type, unique_producer


def _record(topic: str, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=topic, partition=0, offset=0, timestamp=0, timestamp_type=0, key=b"k", value=value,
        checksum=None, serialized_key_size=1, serialized_value_size=len(value), headers=[],
    )  # fmt: skip


def _cut() -> DBAPIError:
    """What SQLAlchemy raises when the server ends the session (a restart, a failover)."""
    driver = asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command")
    return DBAPIError.instance("SELECT 1", None, driver, asyncpg.PostgresError)


def test_what_counts_as_the_database_out_of_reach() -> None:
    assert database_unavailable(_cut())
    assert database_unavailable(asyncpg.exceptions.ConnectionDoesNotExistError("gone"))
    refused = DBAPIError.instance("x", None, asyncpg.exceptions.CheckViolationError("no"), asyncpg.PostgresError)
    assert not database_unavailable(refused)
    assert not database_unavailable(FileNotFoundError(2, "not from the driver"))


async def test_an_outage_longer_than_the_attempts_applies_the_event_once(
    events_db: EventsDb, producer: AIOKafkaProducer
) -> None:
    thing = thing_type(unique_producer())
    consumer = f"outage-{thing.topic()}"
    outage = {"left": 12}  # more failures than max_attempts (5) would allow
    apply = effect_handler(consumer)

    async def flaky(ctx: EventContext, payload: ThingBase) -> None:
        if outage["left"] > 0:
            outage["left"] -= 1
            raise _cut()
        await apply(ctx, payload)

    runner = ConsumerRunner(
        service="events-tests", group_id=consumer, bootstrap_servers="127.0.0.1:1", sessionmaker=events_db.sessionmaker,
        handlers={thing: flaky}, dlq_producer=producer, max_attempts=5, backoff_base=0.001, backoff_max=0.01,
    )  # fmt: skip
    envelope, value = envelope_bytes(thing(thing_id="o-1", quantity=1), subject="o-1")
    assert await runner.process(_record(thing.topic(), value)) == "applied"
    assert outage["left"] == 0
    assert await count_effects(events_db.sessionmaker, event_id=envelope.id) == 1


async def test_a_failing_handler_still_goes_to_the_dlq(events_db: EventsDb, producer: AIOKafkaProducer) -> None:
    thing = thing_type(unique_producer())
    tries = {"n": 0}

    async def broken(ctx: EventContext, payload: ThingBase) -> None:
        tries["n"] += 1
        raise RuntimeError("a bug, not an outage")

    runner = ConsumerRunner(
        service="events-tests", group_id=f"bug-{thing.topic()}", bootstrap_servers="127.0.0.1:1",
        sessionmaker=events_db.sessionmaker, handlers={thing: broken}, dlq_producer=producer, max_attempts=3,
        backoff_base=0.001, backoff_max=0.01,
    )  # fmt: skip
    _, value = envelope_bytes(thing(thing_id="b-1", quantity=1), subject="b-1")
    assert await runner.process(_record(thing.topic(), value)) == "dead-lettered"
    assert tries["n"] == 3
