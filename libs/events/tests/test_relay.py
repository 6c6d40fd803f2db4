"""The relay publishes every committed outbox row exactly once, in order per aggregate."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from sqlalchemy import delete, func, select, update

from aftersales_events import EventEnvelope, OutboxRelay, correlation_scope, outbox, record_event
from aftersales_events.kafka import make_producer
from aftersales_events.partitioning import partition_for

from .kit import PARTITIONS, EventsDb, create_topics, now, read_topic, thing_type, unique_producer

SUBJECTS = ("order-a", "order-b", "order-c", "order-d")


async def _write_rows(db: EventsDb, producer_name: str, count: int) -> dict[str, list[str]]:
    """``count`` events spread over a few aggregates, one transaction each; key -> ids in commit order."""
    thing = thing_type(producer_name)
    expected: dict[str, list[str]] = {s: [] for s in SUBJECTS}
    for i in range(count):
        subject = SUBJECTS[i % len(SUBJECTS)]
        async with db.sessionmaker() as session, session.begin():
            envelope = await record_event(session, thing(thing_id=subject, quantity=i), subject=subject, at=now())
        expected[subject].append(str(envelope.id))
    return expected


async def _unpublished(db: EventsDb) -> int:
    async with db.sessionmaker() as session:
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return int(await session.scalar(query) or 0)


def _ids_by_key(records: list) -> dict[str, list[str]]:  # type: ignore[type-arg]
    by_key: dict[str, list[str]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(record.key.decode(), []).append(json.loads(record.value)["id"])
    return by_key


async def test_drain_publishes_each_row_once_in_order_per_key(
    events_db: EventsDb, producer: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    name = unique_producer()
    topic = f"{name}.events"
    await create_topics(kafka_bootstrap, topic)
    expected = await _write_rows(events_db, name, 24)
    relay = OutboxRelay(events_db.sessionmaker, producer, service="test", batch_size=5)

    assert await relay.drain() == 24
    assert await _unpublished(events_db) == 0
    records = await read_topic(kafka_bootstrap, topic)
    assert len(records) == 24
    assert _ids_by_key(records) == expected
    # Each key on the partition the default partitioner gives it (what producer.send would pick).
    assert {r.key: r.partition for r in records} == {r.key: partition_for(r.key, range(PARTITIONS)) for r in records}
    assert len({r.partition for r in records}) > 1  # the four keys spread, so the check above bites
    first = records[0]
    headers = dict(first.headers)
    envelope = json.loads(first.value)
    # Published byte for byte as encode_events wrote it (the json column keeps the text).
    assert first.value == EventEnvelope.model_validate_json(first.value).to_bytes()
    assert headers["content-type"] == b"application/cloudevents+json; charset=UTF-8"
    assert headers["event_type"].decode() == f"aftersales.{name}.Thing.v1"
    assert headers["correlation_id"].decode() == envelope["correlationid"]
    assert not [header for header in headers if header.startswith("ce_")]  # binary mode's, not ours

    # Nothing is left, so a second drain publishes nothing more.
    assert await relay.drain() == 0
    assert len(await read_topic(kafka_bootstrap, topic)) == 24


async def test_started_relay_publishes_rows_and_stop_flushes(
    events_db: EventsDb, producer: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    name = unique_producer()
    topic = f"{name}.events"
    await create_topics(kafka_bootstrap, topic)
    relay = OutboxRelay(events_db.sessionmaker, producer, service="test", idle_interval=0.05)
    relay.start()
    try:
        expected = await _write_rows(events_db, name, 6)
        relay.wake()
    finally:
        await relay.stop()
    assert await _unpublished(events_db) == 0
    assert _ids_by_key(await read_topic(kafka_bootstrap, topic)) == expected


async def test_two_racing_relays_publish_each_row_exactly_once(events_db: EventsDb, kafka_bootstrap: str) -> None:
    name = unique_producer()
    topic = f"{name}.events"
    await create_topics(kafka_bootstrap, topic)
    expected = await _write_rows(events_db, name, 60)
    producers = [make_producer(kafka_bootstrap, f"relay-{i}-{uuid.uuid4().hex[:6]}") for i in range(2)]
    for client in producers:
        await client.start()
    try:
        relays = [OutboxRelay(events_db.sessionmaker, p, service="test", batch_size=4) for p in producers]
        # Several rounds of concurrent drains and single batches, as replicas would run them.
        published = 0
        for _ in range(3):
            results = await asyncio.gather(*(r.drain() for r in relays), *(r.publish_batch() for r in relays))
            published += sum(results)
    finally:
        for client in producers:
            await client.stop()

    assert await _unpublished(events_db) == 0
    assert published == 60
    records = await read_topic(kafka_bootstrap, topic)
    ids = [json.loads(r.value)["id"] for r in records]
    assert len(ids) == len(set(ids)) == 60
    assert _ids_by_key(records) == expected


async def test_rows_beyond_one_producer_batch_go_out_in_several_batches_in_order(
    events_db: EventsDb, producer: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    # ~2 KB envelopes, 40 of them on one key: more than a producer batch (16 KB) holds, so
    # the relay sends full batches and starts new ones for the same partition.
    name = unique_producer()
    topic = f"{name}.events"
    await create_topics(kafka_bootstrap, topic)
    thing = thing_type(name)
    expected = []
    async with events_db.sessionmaker() as session, session.begin():
        for i in range(40):
            envelope = await record_event(session, thing(thing_id="x" * 2000, quantity=i), subject="big", at=now())
            expected.append(str(envelope.id))
    relay = OutboxRelay(events_db.sessionmaker, producer, service="test", batch_size=100)

    assert await relay.publish_batch() == 40
    records = await read_topic(kafka_bootstrap, topic)
    assert _ids_by_key(records) == {"big": expected}
    assert [json.loads(r.value)["data"]["quantity"] for r in records] == list(range(40))


async def test_rows_written_before_the_header_columns_take_their_headers_from_the_envelope(
    events_db: EventsDb, producer: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    # Rows from before platform_0006 have no correlation_id column value: the relay reads
    # it out of the stored envelope instead.
    name = unique_producer()
    topic = f"{name}.events"
    await create_topics(kafka_bootstrap, topic)
    thing = thing_type(name)
    async with events_db.sessionmaker() as session, session.begin():
        with correlation_scope("corr-old"):
            old = await record_event(session, thing(thing_id="a", quantity=1), subject="a", at=now())
        with correlation_scope("corr-new"):
            new = await record_event(session, thing(thing_id="b", quantity=2), subject="b", at=now())
        await session.execute(
            update(outbox).where(outbox.c.event_id == old.id).values(source=None, correlation_id=None)
        )
    await OutboxRelay(events_db.sessionmaker, producer, service="test").drain()

    headers = {json.loads(r.value)["id"]: dict(r.headers) for r in await read_topic(kafka_bootstrap, topic)}
    for envelope, correlation in ((old, "corr-old"), (new, "corr-new")):
        sent = headers[str(envelope.id)]
        assert sent["correlation_id"].decode() == correlation


async def test_retention_purges_only_published_rows_older_than_it(
    events_db: EventsDb, producer: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    name = unique_producer()
    await create_topics(kafka_bootstrap, f"{name}.events")
    written = await _write_rows(events_db, name, 4)
    ids = [uuid.UUID(i) for subject in SUBJECTS for i in written[subject]]
    relay = OutboxRelay(events_db.sessionmaker, producer, service="test", retention=timedelta(days=7))
    await relay.drain()
    old_published, old_unpublished, recent = ids[0], ids[1], ids[2:]
    long_ago = datetime.now(UTC) - timedelta(days=8)
    async with events_db.sessionmaker() as session, session.begin():
        await session.execute(
            update(outbox).where(outbox.c.event_id.in_([old_published, old_unpublished])).values(created_at=long_ago)
        )
        await session.execute(update(outbox).where(outbox.c.event_id == old_unpublished).values(published_at=None))

    await relay._observe_and_purge()

    async with events_db.sessionmaker() as session, session.begin():
        left = set(await session.scalars(select(outbox.c.event_id).where(outbox.c.event_id.in_(ids))))
        # Not left for another test's relay to publish.
        await session.execute(delete(outbox).where(outbox.c.event_id == old_unpublished))
    assert left == {old_unpublished, *recent}


async def test_wake_ups_within_the_gather_window_go_out_in_one_batch_and_no_empty_poll_follows(
    events_db: EventsDb, producer: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    """Commits that wake the relay close together share one claim (one transaction), and a
    partial batch is not followed by a poll of the emptied outbox: the next commit wakes it."""
    name = unique_producer()
    topic = f"{name}.events"
    await create_topics(kafka_bootstrap, topic)
    await OutboxRelay(events_db.sessionmaker, producer, service="test").drain()  # other tests' rows
    relay = OutboxRelay(events_db.sessionmaker, producer, service="test", idle_interval=30.0, gather=2.0)
    batches: list[int] = []
    publish = relay.publish_batch

    async def counted() -> int:
        published = await publish()
        batches.append(published)
        return published

    relay.publish_batch = counted  # type: ignore[method-assign]
    relay.start()
    try:
        await asyncio.sleep(0.2)
        assert batches == [0]  # the first look, then asleep until woken (idle 30 s)
        expected: dict[str, list[str]] = {}
        for _ in range(3):  # three commits, each waking the relay, within its 2 s window
            for key, ids in (await _write_rows(events_db, name, 2)).items():
                expected.setdefault(key, []).extend(ids)
            relay.wake()
        for _ in range(100):
            if await _unpublished(events_db) == 0:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        assert batches == [0, 6]  # one batch for the three commits, then no empty poll
    finally:
        await relay.stop()
    assert {k: v for k, v in _ids_by_key(await read_topic(kafka_bootstrap, topic)).items() if v} == {
        k: v for k, v in expected.items() if v
    }


async def test_a_relay_woken_after_a_quiet_spell_claims_at_once(
    events_db: EventsDb, producer: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    """The gather window only spaces claims: a commit that wakes a relay which has not claimed
    for longer than the window goes out without waiting for it (ADR 0030)."""
    name = unique_producer()
    await create_topics(kafka_bootstrap, f"{name}.events")
    await OutboxRelay(events_db.sessionmaker, producer, service="test").drain()  # other tests' rows
    relay = OutboxRelay(events_db.sessionmaker, producer, service="test", idle_interval=30.0, gather=3.0)
    relay.start()
    try:
        await asyncio.sleep(3.1)  # the first look, then quiet for longer than the window
        await _write_rows(events_db, name, 2)
        woken = asyncio.get_running_loop().time()
        relay.wake()
        for _ in range(100):
            if await _unpublished(events_db) == 0:
                break
            await asyncio.sleep(0.02)
        assert await _unpublished(events_db) == 0
        assert asyncio.get_running_loop().time() - woken < 2.5
    finally:
        await relay.stop()
