"""The consumer runner: at-least-once delivery made effectively-once by the database.

For every message: in one transaction, insert ``processed_events(consumer, event_id)``
(a conflict means a duplicate: skip) and run the handler; commit; only after the batch
is applied commit the partition's offset. Transient failures are retried with backoff;
a message that still fails, or can never succeed (malformed, invalid payload), goes to
``<topic>.dlq`` with the error in its headers, and the partition moves on.
Unknown event types are acknowledged and ignored.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .catalogue import EventPayload, dlq_topic_for
from .context import correlation_scope
from .envelope import EventEnvelope
from .kafka import make_consumer
from .metrics import CONSUMER_LAG, EVENTS_CONSUMED, EVENTS_DLQ, EVENTS_FAILED
from .tables import processed_events

log = structlog.get_logger("events.consumer")


@dataclass(frozen=True)
class EventContext:
    """What a handler gets: the open session (its effects commit with the dedupe row)."""

    session: AsyncSession
    envelope: EventEnvelope
    # The service's shared resources (its app state: clock, ports to outside systems).
    resources: Any = None

    @property
    def received_at(self) -> datetime:
        return self.envelope.time


Handler = Callable[[EventContext, Any], Awaitable[None]]


class PermanentError(Exception):
    """Raised by a handler for a message that can never succeed: dead-letter at once."""


class ConsumerRunner:
    def __init__(
        self,
        *,
        service: str,
        group_id: str,
        bootstrap_servers: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        handlers: Mapping[type[EventPayload], Handler],
        dlq_producer: AIOKafkaProducer,
        max_attempts: int = 5,
        backoff_base: float = 0.05,
        backoff_max: float = 2.0,
        resources: Any = None,
    ) -> None:
        self._service = service
        self._group_id = group_id
        self._bootstrap = bootstrap_servers
        self._sessionmaker = sessionmaker
        self._handlers = {model.event_type(): (model, handler) for model, handler in handlers.items()}
        self._topics = {model.topic() for model in handlers}
        self._dlq_producer = dlq_producer
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._resources = resources
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def topics(self) -> set[str]:
        return set(self._topics)

    async def start(self) -> None:
        self._consumer = make_consumer(self._bootstrap, self._group_id, self._topics)
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self._group_id}")

    async def stop(self, timeout: float = 10.0) -> None:
        """Finishes the message in hand, commits what was applied, leaves the group."""
        self._stopping = True
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout)
            except TimeoutError:
                log.warning("events.consumer.stop_timeout", group=self._group_id)
        if self._consumer is not None:
            await self._consumer.stop()

    async def _run(self) -> None:
        assert self._consumer is not None
        consumer = self._consumer
        while not self._stopping:
            try:
                batches = await consumer.getmany(timeout_ms=200, max_records=500)
            except KafkaError:
                log.exception("events.consumer.fetch_failed", group=self._group_id)
                await asyncio.sleep(1.0)
                continue
            for tp, messages in batches.items():
                applied_up_to: int | None = None
                for message in messages:
                    if self.stopping and applied_up_to is not None:
                        break  # shutting down: commit what is applied, leave the rest
                    await self.process(message)
                    applied_up_to = message.offset
                if applied_up_to is not None:
                    await self._commit(consumer, tp, applied_up_to + 1)
            await self._observe_lag(consumer)

    async def _commit(self, consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> None:
        try:
            await consumer.commit({tp: offset})
        except CommitFailedError:
            # The group rebalanced: the new owner re-reads from the last commit and the
            # processed_events rows drop what this member already applied.
            log.warning("events.consumer.commit_failed", group=self._group_id, partition=tp.partition)

    async def _observe_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            position = await consumer.position(tp)
            CONSUMER_LAG.labels(self._service, tp.topic, str(tp.partition)).set(max(highwater - position, 0))

    async def process(self, message: ConsumerRecord[bytes, bytes]) -> str:
        """Applies one message; returns its outcome. Public so tools and tests can drive it."""
        try:
            envelope = EventEnvelope.model_validate_json(message.value or b"")
        except ValidationError as error:
            await self._dead_letter(message, error)
            return "dead-lettered"
        registered = self._handlers.get(envelope.type)
        if registered is None:
            EVENTS_CONSUMED.labels(self._service, message.topic, "ignored").inc()
            return "ignored"
        model, handler = registered
        for attempt in range(1, self._max_attempts + 1):
            try:
                outcome = await self._apply(envelope, model, handler)
            except (ValidationError, PermanentError) as error:
                await self._dead_letter(message, error)
                return "dead-lettered"
            except Exception as error:  # a handler bug or a transient fault: retry, then DLQ
                EVENTS_FAILED.labels(self._service, message.topic).inc()
                log.warning(
                    "events.consumer.handler_failed",
                    group=self._group_id,
                    event_id=str(envelope.id),
                    event_type=envelope.type,
                    attempt=attempt,
                    error=repr(error),
                )
                if attempt == self._max_attempts:
                    await self._dead_letter(message, error)
                    return "dead-lettered"
                await asyncio.sleep(self._backoff(attempt))
            else:
                EVENTS_CONSUMED.labels(self._service, message.topic, outcome).inc()
                return outcome
        raise AssertionError("unreachable")

    async def _apply(self, envelope: EventEnvelope, model: type[EventPayload], handler: Handler) -> str:
        async with self._sessionmaker() as session, session.begin():
            claimed = await session.scalar(
                pg_insert(processed_events)
                .values(consumer=self._group_id, event_id=envelope.id, event_type=envelope.type)
                .on_conflict_do_nothing()
                .returning(processed_events.c.event_id)
            )
            if claimed is None:
                return "duplicate"
            payload = model.model_validate(envelope.data)
            with correlation_scope(envelope.correlationid, causation_id=str(envelope.id)):
                await handler(EventContext(session=session, envelope=envelope, resources=self._resources), payload)
        return "applied"

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self._backoff_max, self._backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security

    async def _dead_letter(self, message: ConsumerRecord[bytes, bytes], error: BaseException) -> None:
        headers = [
            *list(message.headers or ()),
            ("dlq.error.type", type(error).__name__.encode()),
            ("dlq.error.message", str(error)[:2000].encode()),
            ("dlq.original.topic", message.topic.encode()),
            ("dlq.original.partition", str(message.partition).encode()),
            ("dlq.original.offset", str(message.offset).encode()),
            ("dlq.consumer", self._group_id.encode()),
            ("dlq.failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        delay = 0.5
        while True:
            try:
                await self._dlq_producer.send_and_wait(
                    dlq_topic_for(message.topic), value=message.value, key=message.key, headers=headers
                )
                break
            except KafkaError:
                # Never move past a message that is neither applied nor parked in the DLQ.
                log.exception("events.consumer.dlq_send_failed", group=self._group_id)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        EVENTS_DLQ.labels(self._service, message.topic).inc()
        log.error(
            "events.consumer.dead_lettered",
            group=self._group_id,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            error=repr(error),
        )
