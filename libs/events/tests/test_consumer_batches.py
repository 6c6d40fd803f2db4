"""Batches: one transaction and one deferred write per writer for many messages, the same
effects as one at a time, and a bad message in a batch costs only itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer, ConsumerRecord
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_devstack.broker import FETCH_MAX_WAIT_MS, SESSION_TIMEOUT_MS
from aftersales_events import ConsumerRunner, EventContext, EventEnvelope, Handler, PermanentError

from .kit import (
    EventsDb,
    RunnerFactory,
    ThingBase,
    count_effects,
    count_processed,
    create_topics,
    effects,
    envelope_bytes,
    produce,
    read_topic,
    thing_type,
    unique_producer,
)


class EffectsWriter:
    """Writes effect rows; remembers how many items each call got."""

    def __init__(self, consumer: str, fail_on: int | None = None) -> None:
        self.consumer = consumer
        self.fail_on = fail_on
        self.calls: list[int] = []

    async def write(self, session: AsyncSession, items: Sequence[tuple[EventEnvelope, ThingBase]]) -> None:
        if any(thing.quantity == self.fail_on for _, thing in items):
            raise RuntimeError(f"cannot write quantity {self.fail_on}")
        self.calls.append(len(items))
        await session.execute(
            insert(effects),
            [
                {"consumer": self.consumer, "event_id": e.id, "thing_id": t.thing_id, "quantity": t.quantity}
                for e, t in items
            ],
        )


def deferring(writer: EffectsWriter, poison: int | None = None) -> Handler:
    async def handle(ctx: EventContext, thing: ThingBase) -> None:
        if thing.quantity == poison:
            raise PermanentError("this one can never succeed")
        await ctx.write(writer, (ctx.envelope, thing))

    return handle


def records(topic: str, values: list[bytes]) -> list[ConsumerRecord[bytes, bytes]]:
    return [ConsumerRecord(topic, 0, i, 0, 0, b"k", v, None, len(v), 0, ()) for i, v in enumerate(values)]


def runner_for(
    events_db: EventsDb, kafka_bootstrap: str, producer: AIOKafkaProducer, group_id: str, thing: Any, handler: Handler
) -> ConsumerRunner:
    return ConsumerRunner(
        service="events-tests", group_id=group_id, bootstrap_servers=kafka_bootstrap,
        sessionmaker=events_db.sessionmaker, handlers={thing: handler}, dlq_producer=producer, backoff_base=0.001,
        session_timeout_ms=SESSION_TIMEOUT_MS, fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
    )  # fmt: skip


async def test_a_batch_is_one_transaction_with_one_write_per_writer(
    events_db: EventsDb, kafka_bootstrap: str, producer: AIOKafkaProducer, group_id: str
) -> None:
    thing = thing_type(unique_producer())
    writer = EffectsWriter(group_id)
    runner = runner_for(events_db, kafka_bootstrap, producer, group_id, thing, deferring(writer))
    made = [envelope_bytes(thing(thing_id=f"t-{i}", quantity=i), subject=f"t-{i}") for i in range(6)]
    values = [value for _, value in made]
    unknown = envelope_bytes(thing(thing_id="x", quantity=1), subject="x", type="aftersales.other.Unheard.v1")[1]

    outcomes = await runner.process_batch(records(thing.topic(), [*values, values[2], unknown]))

    assert outcomes == ["applied"] * 6 + ["duplicate", "ignored"]
    assert writer.calls == [6]  # every handler's write, in one call
    assert await count_effects(events_db.sessionmaker, consumer=group_id) == 6
    assert await count_processed(events_db.sessionmaker, group_id) == 6
    # Delivered again (a crash before the offset commit): nothing is applied twice.
    assert await runner.process_batch(records(thing.topic(), values)) == ["duplicate"] * 6
    assert writer.calls == [6]
    assert await count_effects(events_db.sessionmaker, consumer=group_id) == 6


async def test_a_poison_message_in_a_batch_costs_only_itself(
    events_db: EventsDb, kafka_bootstrap: str, producer: AIOKafkaProducer, group_id: str
) -> None:
    thing = thing_type(unique_producer())
    await create_topics(kafka_bootstrap, f"{thing.topic()}.dlq")
    writer = EffectsWriter(group_id, fail_on=5)  # the deferred write of quantity 5 fails at flush
    runner = runner_for(events_db, kafka_bootstrap, producer, group_id, thing, deferring(writer, poison=3))
    made = [envelope_bytes(thing(thing_id=f"t-{i}", quantity=i), subject=f"t-{i}") for i in range(1, 8)]

    outcomes = await runner.process_batch(records(thing.topic(), [b"{not json", *(v for _, v in made)]))

    # The batch failed as a whole (the flush raised), so every message was applied on its own.
    expected = [
        "dead-lettered",
        "applied",
        "applied",
        "dead-lettered",
        "applied",
        "dead-lettered",
        "applied",
        "applied",
    ]
    assert outcomes == expected
    assert await count_effects(events_db.sessionmaker, consumer=group_id) == 5
    assert await count_processed(events_db.sessionmaker, group_id) == 5
    parked = await read_topic(kafka_bootstrap, f"{thing.topic()}.dlq")
    assert [r.value for r in parked] == [b"{not json", made[2][1], made[4][1]]


async def test_a_write_outside_a_batch_happens_at_once(events_db: EventsDb, group_id: str) -> None:
    thing = thing_type(unique_producer())
    writer = EffectsWriter(group_id)
    envelope, _ = envelope_bytes(thing(thing_id="t-1", quantity=1), subject="t-1")
    async with events_db.sessionmaker() as session, session.begin():
        await deferring(writer)(EventContext(session=session, envelope=envelope), thing(thing_id="t-1", quantity=1))
        assert writer.calls == [1]
    assert await count_effects(events_db.sessionmaker, consumer=group_id) == 1


async def test_the_running_consumer_applies_fetched_messages_in_batches(
    events_db: EventsDb, kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory
) -> None:
    thing = thing_type(unique_producer())
    await create_topics(kafka_bootstrap, thing.topic())
    made = [envelope_bytes(thing(thing_id="t", quantity=i), subject="t") for i in range(120)]
    await produce(kafka_bootstrap, thing.topic(), [(b"t", value) for _, value in made])
    writer = EffectsWriter(group_id)

    runner = await start_runner(thing, handler=deferring(writer), batch_size=50)

    assert await runner.wait_outcomes(120) == ["applied"] * 120
    assert sum(writer.calls) == 120
    assert max(writer.calls) <= 50  # within the batch size
    assert len(writer.calls) < 120  # and batched
    assert await count_effects(events_db.sessionmaker, consumer=group_id) == 120


def with_type_header(
    record: ConsumerRecord[bytes, bytes], event_type: str, header: str = "event_type"
) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        record.topic, record.partition, record.offset, 0, 0, record.key, record.value, None,
        len(record.value or b""), 0, (("content-type", b"application/cloudevents+json"), (header, event_type.encode())),
    )  # fmt: skip


async def test_a_type_header_naming_an_unhandled_type_is_ignored_unparsed_and_the_envelope_rules_the_rest(
    events_db: EventsDb, kafka_bootstrap: str, producer: AIOKafkaProducer, group_id: str
) -> None:
    thing = thing_type(unique_producer())
    await create_topics(kafka_bootstrap, f"{thing.topic()}.dlq")
    writer = EffectsWriter(group_id)
    runner = runner_for(events_db, kafka_bootstrap, producer, group_id, thing, deferring(writer))
    handled = thing.event_type()
    (_, applied_value), (_, bare_value) = (
        envelope_bytes(thing(thing_id=f"h-{i}", quantity=i), subject=f"h-{i}") for i in (1, 2)
    )
    batch = records(thing.topic(), [b"{not json at all", applied_value, b"{not json either", bare_value])
    batch = [
        with_type_header(batch[0], "aftersales.elsewhere.SomethingElse.v1"),  # not ours: never parsed
        with_type_header(batch[1], handled),
        with_type_header(batch[2], handled),  # ours by its header: parsed, found bad, dead-lettered
        batch[3],  # no header: parsed as always
    ]

    assert await runner.process_batch(batch) == ["ignored", "applied", "dead-lettered", "applied"]
    # One at a time, the same rule.
    assert await runner.process(with_type_header(batch[0], "aftersales.elsewhere.SomethingElse.v2")) == "ignored"
    # A record the relay published before it followed the CloudEvents binding named its type in ce_type.
    assert await runner.process(with_type_header(batch[0], "aftersales.elsewhere.Old.v1", "ce_type")) == "ignored"
    assert await count_effects(events_db.sessionmaker, consumer=group_id) == 2
    assert await count_processed(events_db.sessionmaker, group_id) == 2
    assert [r.value for r in await read_topic(kafka_bootstrap, f"{thing.topic()}.dlq")] == [b"{not json either"]
