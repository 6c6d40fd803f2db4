"""Helpers for the event-machinery tests: a test payload, an effects table, broker reads.

Payload types made here are deliberately NOT registered in the global CATALOGUE: each
test gets its own producer name (hence its own topic) without leaking types into other
tests' view of the catalogue (e.g. the AsyncAPI document).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import Column, Identity, Integer, MetaData, Table, Text, func, insert, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from aftersales_chassis.testing import eventually
from aftersales_events import (
    ConsumerRunner,
    EventContext,
    EventEnvelope,
    EventPayload,
    Handler,
    event,
    processed_events,
)
from aftersales_events.kafka import ensure_topics, make_producer

PARTITIONS = 3


@dataclass(frozen=True)
class EventsDb:
    url: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


test_metadata = MetaData()
effects = Table(
    "test_effects",
    test_metadata,
    Column("id", Integer, Identity(always=True), primary_key=True),
    Column("consumer", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("thing_id", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
)


class ThingBase(EventPayload):
    """Something happened to a thing (test-only)."""

    thing_id: str
    quantity: int


def thing_type(producer: str) -> type[ThingBase]:
    """A ``Thing`` payload class published by ``producer`` (so on ``<producer>.events``)."""
    cls: type[ThingBase] = type(f"Thing_{producer}", (ThingBase,), {"__module__": __name__})
    return event(producer, "Thing", register=False)(cls)


def unique_producer() -> str:
    return f"ts{uuid.uuid4().hex[:12]}"


def now() -> datetime:
    return datetime.now(UTC)


def envelope_bytes(
    payload: EventPayload, *, subject: str, data_overrides: dict[str, Any] | None = None, **attrs: Any
) -> tuple[EventEnvelope, bytes]:
    """An envelope as the relay would publish it; ``data_overrides``/``attrs`` bend it for a test."""
    envelope = EventEnvelope.wrap(payload, subject=subject, time=now())
    doc = envelope.model_dump(mode="json")
    doc["data"].update(data_overrides or {})
    doc.update(attrs)
    return envelope, json.dumps(doc).encode()


async def create_topics(bootstrap: str, *topics: str) -> None:
    await ensure_topics(bootstrap, [*topics, *(f"{t}.dlq" for t in topics)], partitions=PARTITIONS)


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    """Sends (key, value) pairs in order and waits for every ack."""
    producer = make_producer(bootstrap, "events-tests")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


MARKER_KEY = b"__end-marker__"


async def read_topic(bootstrap: str, topic: str, timeout: float = 30.0) -> list[ConsumerRecord[bytes, bytes]]:
    """Everything published to ``topic`` so far, in offset order per partition.

    "So far" is fixed by appending a marker to every partition and reading up to it:
    the end offsets Tansu reports are wrong for multi-record batches, and a marker
    produced after the writer's acks is behind every message the writer published.
    Only for topics no runner consumes (the markers are not events).
    """
    markers = {p: uuid.uuid4().hex.encode() for p in range(PARTITIONS)}
    producer = make_producer(bootstrap, "events-tests-marker")
    await producer.start()
    try:
        for partition, marker in markers.items():
            await producer.send_and_wait(topic, value=marker, key=MARKER_KEY, partition=partition)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        records: list[ConsumerRecord[bytes, bytes]] = []
        pending = set(markers.values())

        async def all_markers_seen() -> bool:
            for batch in (await consumer.getmany(*tps, timeout_ms=100)).values():
                for record in batch:
                    if record.key == MARKER_KEY:
                        pending.discard(record.value or b"")
                    else:
                        records.append(record)
            return not pending

        await eventually(all_markers_seen, timeout=timeout, interval=0.01, message=f"reading {topic}")
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        await consumer.stop()


async def count_effects(sessionmaker: async_sessionmaker[AsyncSession], **where: Any) -> int:
    async with sessionmaker() as session:
        query = select(func.count()).select_from(effects)
        for name, value in where.items():
            query = query.where(effects.c[name] == value)
        return int(await session.scalar(query) or 0)


def effect_handler(consumer: str) -> Handler:
    """A handler whose only effect is one ``test_effects`` row, in the runner's transaction."""

    async def handle(ctx: EventContext, payload: ThingBase) -> None:
        await ctx.session.execute(
            insert(effects).values(
                consumer=consumer, event_id=ctx.envelope.id, thing_id=payload.thing_id, quantity=payload.quantity
            )
        )

    return handle


async def count_processed(sessionmaker: async_sessionmaker[AsyncSession], consumer: str) -> int:
    async with sessionmaker() as session:
        query = select(func.count()).select_from(processed_events).where(processed_events.c.consumer == consumer)
        return int(await session.scalar(query) or 0)


class RecordingRunner(ConsumerRunner):
    """The real runner, remembering each message's outcome so a test can wait on it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outcomes: list[tuple[int, int, str]] = []
        self.messages: list[ConsumerRecord[bytes, bytes]] = []

    async def process_batch(self, messages: Sequence[ConsumerRecord[bytes, bytes]]) -> list[str]:
        outcomes = await super().process_batch(messages)
        self.messages.extend(messages)
        self.outcomes.extend((m.partition, m.offset, o) for m, o in zip(messages, outcomes, strict=True))
        return outcomes

    async def wait_outcomes(self, count: int, timeout: float = 30.0) -> list[str]:
        async def enough() -> bool:
            return len(self.outcomes) >= count

        await eventually(enough, timeout=timeout, message=f"{count} processed messages")
        return [outcome for _, _, outcome in self.outcomes]


class RunnerFactory(Protocol):
    async def __call__(
        self, thing: type[ThingBase], *, handler: Handler | None = None, group: str | None = None, **options: Any
    ) -> RecordingRunner: ...
