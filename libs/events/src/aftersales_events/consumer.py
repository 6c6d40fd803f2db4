"""The consumer runner: at-least-once delivery made effectively-once by the database.

For a batch of a partition's messages: in one transaction, insert
``processed_events(consumer, event_id)`` for all of them (a conflict means a duplicate:
skip it), run the handlers of the new ones, flush the writes they deferred (batching.py);
commit; only then commit the partition's offset. If the batch fails, nothing of it was
applied: its messages are applied again one by one, each in its own transaction, so one
bad message costs only itself. Transient failures are retried with backoff; a message
that still fails, or can never succeed (malformed, invalid payload), goes to
``<topic>.dlq`` with the error in its headers, and the partition moves on.
Unknown event types are acknowledged and ignored: without parsing when the message's
``event_type`` header (the relay sets it) names a type the consumer has no handler for. An
unknown *version* of an event the consumer does handle (``...RefundApproved.v2`` where it
knows ``.v1``) is not ignored: that would drop the producer's events silently once it moves
on; it goes to the DLQ (``UnknownEventVersion``) until a consumer that knows it replays it. A
service reads whole topics of which it handles a few types (returns reads the parcel events
it writes itself; finance reads all of returns'), and the envelope parse of a message it
then ignored cost as much as one it applies. The envelope stays the authority on everything
else: without the header, or when it names a handled type, the message is parsed as before.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import ValidationError
from sqlalchemy import Text, Uuid, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import tracing
from .batching import DeferredWrites
from .catalogue import EventPayload, dlq_topic_for
from .context import correlation_scope
from .envelope import EventEnvelope
from .handling import EventContext, Handler, PermanentError, UnknownEventVersion, event_name
from .kafka import DEFAULT_FETCH_MAX_WAIT_MS, DEFAULT_SESSION_TIMEOUT_MS, make_consumer
from .metrics import CONSUMER_LAG, EVENTS_CONSUMED, EVENTS_DLQ, EVENTS_FAILED
from .partitions import PartitionDispatcher
from .relay import TYPE_HEADER
from .rewind import FromTheStart, stop_consumer, tear_down
from .unavailable import database_unavailable

log = structlog.get_logger("events.consumer")

COMMIT_TIMEOUT = 10.0

# A batch's dedupe rows in one statement of arrays; the ones returned are new.
# The relay's header, and the one it set before it followed the CloudEvents binding.
_TYPE_HEADERS = frozenset({TYPE_HEADER, "ce_type"})
CLAIM_MANY = text(
    "INSERT INTO processed_events (consumer, event_id, event_type)"
    " SELECT :consumer, event_id, event_type FROM unnest(:event_id, :event_type) AS e(event_id, event_type)"
    " ON CONFLICT DO NOTHING RETURNING event_id"
).bindparams(
    bindparam("consumer", type_=Text()),
    bindparam("event_id", type_=ARRAY(Uuid())),
    bindparam("event_type", type_=ARRAY(Text())),
)


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
        batch_size: int = 200,
        session_timeout_ms: int = DEFAULT_SESSION_TIMEOUT_MS,
        fetch_max_wait_ms: int = DEFAULT_FETCH_MAX_WAIT_MS,
    ) -> None:
        self._service = service
        self._session_timeout_ms = session_timeout_ms
        self._fetch_max_wait_ms = fetch_max_wait_ms
        self._group_id = group_id
        self._bootstrap = bootstrap_servers
        self._sessionmaker = sessionmaker
        self._handlers = {model.event_type(): (model, handler) for model, handler in handlers.items()}
        self._handled_type_headers = {event_type.encode() for event_type in self._handlers}
        self._handled_versions: dict[str, list[str]] = {}
        for event_type in sorted(self._handlers):
            self._handled_versions.setdefault(event_name(event_type), []).append(event_type)
        self._topics = {model.topic() for model in handlers}
        self._dlq_producer = dlq_producer
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._resources = resources
        self._batch_size = max(batch_size, 1)
        self._consumer: AIOKafkaConsumer | None = None
        self._dispatcher: PartitionDispatcher | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._discarding = False
        self._rewound: set[TopicPartition] | None = None  # set once the broker lost its log

    @property
    def topics(self) -> set[str]:
        return set(self._topics)

    async def start(self) -> None:
        self._dispatcher = PartitionDispatcher(
            self.process_batch,
            self._commit,
            batch_size=self._batch_size,
            max_backlog=self._batch_size * 4,
            name=self._group_id,
        )
        listener: ConsumerRebalanceListener = self._dispatcher
        if self._rewound is not None:
            listener = FromTheStart(self._dispatcher, self._rewound)
        self._consumer = make_consumer(
            self._bootstrap,
            self._group_id,
            self._topics,
            listener=listener,
            session_timeout_ms=self._session_timeout_ms,
            fetch_max_wait_ms=self._fetch_max_wait_ms,
        )
        if isinstance(listener, FromTheStart):
            listener.consumer = self._consumer
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self._group_id}")

    async def stop(self, timeout: float = 10.0) -> None:
        """Finishes the batches in hand, commits what was applied, leaves the group."""
        self._stopping = True
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout)
            except TimeoutError:
                log.warning("events.consumer.stop_timeout", group=self._group_id)
        if self._consumer is not None:
            await stop_consumer(self._consumer)

    async def rewind(self, timeout: float = 10.0) -> None:
        """The broker lost its log (recovery.BrokerWatch): drop this consumer, commit nothing
        more (its offsets point into the old log), and start again reading every partition
        from the start of the new one. What was applied before is dropped as a duplicate.

        The old client is stopped, not steered: after a broker restart it may sit in a
        rebalance retrying a commit for a topic that no longer exists."""
        log.warning("events.consumer.rewinding", group=self._group_id)
        self._discarding = True
        try:
            if self._task is not None:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
            if self._consumer is not None:
                try:
                    await asyncio.wait_for(stop_consumer(self._consumer), timeout)
                except (TimeoutError, KafkaError) as error:
                    log.warning("events.consumer.rewind_stop_failed", group=self._group_id, error=repr(error))
                    await tear_down(self._consumer)
        finally:
            self._discarding = False
        self._rewound = set()
        await self.start()

    async def _run(self) -> None:
        """Fetches and hands each partition's messages to its worker (partitions.py), which
        applies them in batches; commits what the workers have applied."""
        assert self._consumer is not None
        assert self._dispatcher is not None
        consumer, dispatcher = self._consumer, self._dispatcher
        try:
            while not self._stopping:
                if (failure := dispatcher.failure()) is not None:
                    raise failure
                try:
                    fetched = await consumer.getmany(timeout_ms=100, max_records=self._batch_size * 4)
                except KafkaError:
                    log.exception("events.consumer.fetch_failed", group=self._group_id)
                    await asyncio.sleep(1.0)
                    continue
                dispatcher.feed(fetched)
                dispatcher.regulate(consumer)
                if offsets := dispatcher.to_commit():
                    await self._commit(offsets)
                await self._observe_lag(consumer)
            await dispatcher.close()  # shutting down: finish the batches in hand, commit them
        except BaseException:  # cancelled, or a worker died: no worker outlives the loop
            dispatcher.abort()
            raise

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        assert self._consumer is not None
        assert self._dispatcher is not None
        if self._discarding:
            return
        try:
            # Bounded: aiokafka retries a commit for as long as the group is in trouble (a
            # broker restarted under it), and a commit inside a rebalance callback would hold
            # the whole group coordination. Uncommitted offsets cost re-reads, never events.
            await asyncio.wait_for(self._consumer.commit(offsets), COMMIT_TIMEOUT)
        except TimeoutError:
            log.warning("events.consumer.commit_timed_out", group=self._group_id, partitions=len(offsets))
        except CommitFailedError:
            # The group rebalanced: the new owner re-reads from the last commit and the
            # processed_events rows drop what this member already applied.
            log.warning("events.consumer.commit_failed", group=self._group_id, partitions=len(offsets))
        else:
            self._dispatcher.committed(offsets)

    async def _observe_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            position = await consumer.position(tp)
            CONSUMER_LAG.labels(self._service, tp.topic, str(tp.partition)).set(max(highwater - position, 0))

    async def process_batch(self, messages: Sequence[ConsumerRecord[bytes, bytes]]) -> list[str]:
        """Applies the messages (of one partition, in order) in one transaction; returns each
        one's outcome. If that transaction fails, applies them one by one instead."""
        if len(messages) == 1:
            return [await self.process(messages[0])]
        outcomes: dict[int, str] = {}
        ready: list[tuple[int, EventEnvelope, EventPayload, Handler]] = []
        for index, message in enumerate(messages):
            if self._named_but_not_handled(message):
                outcomes[index] = "ignored"
                continue
            try:
                envelope = EventEnvelope.model_validate_json(message.value or b"")
                registered = self._handlers.get(envelope.type)
                if registered is None:
                    # An unknown version of a handled event: the single path parks it.
                    outcomes[index] = "one-by-one" if self._unknown_version(envelope.type) else "ignored"
                    continue
                model, handler = registered
                ready.append((index, envelope, model.model_validate(envelope.data), handler))
            except ValidationError:
                outcomes[index] = "one-by-one"  # the single path dead-letters it with its error
        try:
            outcomes.update(await self._apply_many(ready))
        except Exception as error:  # nothing of the batch is applied: isolate the culprit
            log.warning("events.consumer.batch_failed", group=self._group_id, size=len(ready), error=repr(error))
            outcomes.update((index, "one-by-one") for index, *_ in ready)
        counted: Counter[tuple[str, str]] = Counter()
        for index, message in enumerate(messages):
            if outcomes[index] == "one-by-one":
                outcomes[index] = await self.process(message)
            else:
                counted[message.topic, outcomes[index]] += 1
        for (topic, outcome), count in counted.items():
            EVENTS_CONSUMED.labels(self._service, topic, outcome).inc(count)
        return [outcomes[index] for index in range(len(messages))]

    async def _apply_many(self, ready: Sequence[tuple[int, EventEnvelope, EventPayload, Handler]]) -> dict[int, str]:
        if not ready:
            return {}
        # Keyed by the ids' integers: uuid.UUID hashes and compares in Python, ints in C.
        first: dict[int, int] = {}
        for index, envelope, *_ in ready:
            first.setdefault(envelope.id.int, index)  # a duplicate inside the batch counts once
        async with self._sessionmaker() as session, session.begin():
            distinct = [envelope for index, envelope, *_ in ready if first[envelope.id.int] == index]
            claimed = await session.scalars(
                CLAIM_MANY,
                {
                    "consumer": self._group_id,
                    "event_id": [envelope.id for envelope in distinct],
                    "event_type": [envelope.type for envelope in distinct],
                },
            )
            new = {event_id.int for event_id in claimed}
            deferred = DeferredWrites()
            outcomes: dict[int, str] = {}
            traces = tracing.hooks()  # None unless the service traces: no span per event then
            for index, envelope, payload, handler in ready:
                if first[key := envelope.id.int] != index or key not in new:
                    outcomes[index] = "duplicate"
                    continue
                ctx = EventContext(session=session, envelope=envelope, resources=self._resources, deferred=deferred)
                with correlation_scope(envelope.correlationid, causation_id=ctx.event_id):
                    if traces is None:
                        await handler(ctx, payload)
                    else:
                        with traces.consuming(envelope.traceparent, envelope.type, payload.topic()):
                            await handler(ctx, payload)
                outcomes[index] = "applied"
            if traces is None:
                await deferred.flush(session)
            else:
                applied = [envelope.traceparent for index, envelope, *_ in ready if outcomes[index] == "applied"]
                with traces.flushing(applied):
                    await deferred.flush(session)
        return outcomes

    async def process(self, message: ConsumerRecord[bytes, bytes]) -> str:
        """Applies one message; returns its outcome. Public so tools and tests can drive it."""
        if self._named_but_not_handled(message):
            EVENTS_CONSUMED.labels(self._service, message.topic, "ignored").inc()
            return "ignored"
        try:
            envelope = EventEnvelope.model_validate_json(message.value or b"")
        except ValidationError as error:
            await self._dead_letter(message, error)
            return "dead-lettered"
        registered = self._handlers.get(envelope.type)
        if registered is None:
            if (known := self._unknown_version(envelope.type)) is not None:
                await self._dead_letter(
                    message, UnknownEventVersion(f"{envelope.type}: this consumer handles {', '.join(known)} only")
                )
                return "dead-lettered"
            EVENTS_CONSUMED.labels(self._service, message.topic, "ignored").inc()
            return "ignored"
        model, handler = registered
        attempt, outage = 1, 0
        while attempt <= self._max_attempts:
            try:
                outcome = await self._apply(envelope, model, handler)
            except (ValidationError, PermanentError) as error:
                await self._dead_letter(message, error)
                return "dead-lettered"
            except Exception as error:  # a handler bug or a transient fault: retry, then DLQ
                EVENTS_FAILED.labels(self._service, message.topic).inc()
                if database_unavailable(error) and not self._stopping:
                    # The database is restarting or out of reach: no attempt of the message's
                    # is spent (it would be dead-lettered for nothing); the partition waits.
                    outage += 1
                    log.warning(
                        "events.consumer.database_unavailable",
                        group=self._group_id,
                        event_id=str(envelope.id),
                        waited=outage,
                        error=repr(error),
                    )
                    await asyncio.sleep(min(self._backoff_max, self._backoff_base * 2 ** min(outage, 6)))
                    continue
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
                attempt += 1
            else:
                EVENTS_CONSUMED.labels(self._service, message.topic, outcome).inc()
                return outcome
        raise AssertionError("unreachable")

    def _named_but_not_handled(self, message: ConsumerRecord[bytes, bytes]) -> bool:
        """The message's type header names a type this consumer has no handler for, in any
        version (``ce_type`` on records published before the relay followed the CloudEvents
        binding)."""
        for name, value in message.headers or ():
            if name in _TYPE_HEADERS:
                if value in self._handled_type_headers:
                    return False
                return self._unknown_version(value.decode(errors="replace")) is None
        return False

    def _unknown_version(self, event_type: str) -> list[str] | None:
        """The versions this consumer handles of ``event_type``'s event, when it handles that
        event but not this version; None when it does not handle the event at all."""
        return self._handled_versions.get(event_name(event_type))

    async def _apply(self, envelope: EventEnvelope, model: type[EventPayload], handler: Handler) -> str:
        """One message: the batch path with a batch of one (same claim, handler, flush)."""
        payload = model.model_validate(envelope.data)
        return (await self._apply_many([(0, envelope, payload, handler)]))[0]

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
