"""A broker that lost its log loses no event: the relay notices its marker is gone and
publishes the retained outbox rows again (a restarted memory-only Tansu here)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest_asyncio
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from aftersales_chassis.testing import eventually
from aftersales_devstack.broker import Broker
from aftersales_events import OutboxRelay, outbox, record_event
from aftersales_events.kafka import ensure_topics, make_producer
from aftersales_events.recovery import MARKER_TOPIC, BrokerWatch, check_broker_log, mark_unpublished

from .kit import EventsDb, create_topics, now, read_topic, thing_type, unique_producer


@pytest_asyncio.fixture(loop_scope="session")
async def broker() -> AsyncIterator[Broker]:
    own = Broker()  # this test restarts it, so it may not be the session's shared broker
    try:
        yield own
    finally:
        own.stop()


async def _started_producer(bootstrap: str) -> AIOKafkaProducer:
    producer = make_producer(bootstrap, "recovery-test")
    await producer.start()
    return producer


async def _unpublished(db: EventsDb) -> int:
    async with db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(outbox.c.published_at.is_(None))) or 0)


async def test_restarted_broker_gets_the_retained_events_again(events_db: EventsDb, broker: Broker) -> None:
    service = unique_producer()
    thing = thing_type(service)
    async with events_db.sessionmaker() as session, session.begin():
        for i in range(3):
            await record_event(session, thing(thing_id=f"t{i}", quantity=i), subject=f"t{i}", at=now())
    await create_topics(broker.bootstrap, thing.topic())
    await ensure_topics(broker.bootstrap, [MARKER_TOPIC], partitions=1)
    producer = await _started_producer(broker.bootstrap)
    try:
        assert await check_broker_log(events_db.sessionmaker, producer, broker.bootstrap, service=service) == (
            "first-run"
        )
        assert await OutboxRelay(events_db.sessionmaker, producer, service=service).drain() == 3
        assert await check_broker_log(events_db.sessionmaker, producer, broker.bootstrap, service=service) == "intact"
        assert await _unpublished(events_db) == 0
    finally:
        await producer.stop()

    port = broker.port
    broker.stop()
    restarted = Broker(port=port)  # memory-only: an empty log on the same address
    try:
        await create_topics(restarted.bootstrap, thing.topic())
        await ensure_topics(restarted.bootstrap, [MARKER_TOPIC], partitions=1)
        producer = await _started_producer(restarted.bootstrap)
        try:
            state = await check_broker_log(events_db.sessionmaker, producer, restarted.bootstrap, service=service)
            assert state == "lost"
            assert await _unpublished(events_db) == 3
            assert await OutboxRelay(events_db.sessionmaker, producer, service=service).drain() == 3
        finally:
            await producer.stop()
        republished = await read_topic(restarted.bootstrap, thing.topic())
        assert sorted(r.key for r in republished) == [b"t0", b"t1", b"t2"]
    finally:
        restarted.stop()


async def test_recovery_command_path_marks_rows_since_a_time(events_db: EventsDb) -> None:
    thing = thing_type(unique_producer())
    async with events_db.sessionmaker() as session, session.begin():
        await record_event(session, thing(thing_id="old", quantity=1), subject=str(uuid.uuid4()), at=now())
        await session.execute(
            outbox.update().values(published_at=func.now(), created_at=func.now() - func.make_interval(0, 0, 0, 2))
        )
    cutoff = now()
    async with events_db.sessionmaker() as session, session.begin():
        await record_event(session, thing(thing_id="new", quantity=1), subject=str(uuid.uuid4()), at=now())
        await session.execute(outbox.update().where(outbox.c.published_at.is_(None)).values(published_at=func.now()))
    assert await mark_unpublished(events_db.sessionmaker, since=cutoff) == 1
    assert await _unpublished(events_db) == 1


async def test_a_running_relay_notices_the_lost_log_and_republishes(events_db: EventsDb) -> None:
    """ADR 0027: no service restart. The watch finds the marker gone, the service's own
    recovery runs first (topics), then every retained row goes out again with the new ones."""
    service = unique_producer()
    thing = thing_type(service)
    broker = Broker()
    async with events_db.sessionmaker() as session, session.begin():
        for i in range(3):
            await record_event(session, thing(thing_id=f"r{i}", quantity=i), subject=f"r{i}", at=now())
    await create_topics(broker.bootstrap, thing.topic())
    await ensure_topics(broker.bootstrap, [MARKER_TOPIC], partitions=1)
    producer = await _started_producer(broker.bootstrap)
    lost: list[str] = []

    async def on_lost() -> None:
        await create_topics(broker.bootstrap, thing.topic())
        lost.append("topics re-created")

    watch = BrokerWatch(
        events_db.sessionmaker, producer, broker.bootstrap, service=service, on_lost=on_lost, interval=0.2
    )
    relay = OutboxRelay(events_db.sessionmaker, producer, service=service, idle_interval=0.05, watch=watch)
    try:
        assert await check_broker_log(events_db.sessionmaker, producer, broker.bootstrap, service=service) == (
            "first-run"
        )
        relay.start()
        await eventually(lambda: _none_unpublished(events_db), message="the first rows published")
        assert await watch.check() == "intact"
        assert lost == []

        port = broker.port
        broker.stop()
        broker = Broker(port=port)  # memory-only: an empty log on the same address, under the running relay
        async with events_db.sessionmaker() as session, session.begin():
            await record_event(session, thing(thing_id="r3", quantity=3), subject="r3", at=now())

        async def all_there() -> bool:
            keys = {r.key for r in await read_topic(broker.bootstrap, thing.topic(), timeout=5)}
            return {b"r0", b"r1", b"r2", b"r3"} <= keys

        await eventually(lambda: lost, timeout=60, message="the watch finding the marker gone")
        await eventually(all_there, timeout=60, message="the lost rows and the new one in the new log")
        assert lost == ["topics re-created"]
    finally:
        await relay.stop()
        await producer.stop()
        broker.stop()


async def _none_unpublished(db: EventsDb) -> bool:
    return await _unpublished(db) == 0
