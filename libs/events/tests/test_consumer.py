"""The consumer runner: duplicates applied once, crashes redelivered and applied once, unknowns ignored."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from aftersales_chassis.testing import eventually
from aftersales_events import ConsumerRunner

from .kit import (
    EventsDb,
    RunnerFactory,
    count_effects,
    count_processed,
    create_topics,
    effect_handler,
    envelope_bytes,
    produce,
    read_topic,
    thing_type,
    unique_producer,
)


async def test_duplicate_delivery_is_applied_once(
    events_db: EventsDb, kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory
) -> None:
    thing = thing_type(unique_producer())
    await create_topics(kafka_bootstrap, thing.topic())
    envelope, value = envelope_bytes(thing(thing_id="t-1", quantity=3), subject="t-1")
    await produce(kafka_bootstrap, thing.topic(), [(b"t-1", value), (b"t-1", value)])

    runner = await start_runner(thing)

    assert await runner.wait_outcomes(2) == ["applied", "duplicate"]
    assert await count_effects(events_db.sessionmaker, event_id=envelope.id) == 1
    assert await count_effects(events_db.sessionmaker, consumer=group_id, quantity=3) == 1
    assert await count_processed(events_db.sessionmaker, group_id) == 1


async def test_crash_before_offset_commit_redelivers_and_applies_once(
    events_db: EventsDb, kafka_bootstrap: str, producer: AIOKafkaProducer, group_id: str, start_runner: RunnerFactory
) -> None:
    thing = thing_type(unique_producer())
    await create_topics(kafka_bootstrap, thing.topic())
    envelopes = [envelope_bytes(thing(thing_id=f"t-{i}", quantity=i), subject=f"t-{i}") for i in range(3)]
    await produce(kafka_bootstrap, thing.topic(), [(f"t-{i}".encode(), v) for i, (_, v) in enumerate(envelopes)])

    # Member A: fetches and applies (its transactions commit), then "crashes" before committing offsets.
    # A short session so the broker evicts the crashed member soon (a crash sends no LeaveGroup).
    crashed = AIOKafkaConsumer(
        thing.topic(),
        bootstrap_servers=kafka_bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=3000,
        heartbeat_interval_ms=500,
        rebalance_timeout_ms=3000,
    )
    await crashed.start()
    fetched: list[ConsumerRecord[bytes, bytes]] = []
    try:

        async def fetched_all() -> bool:
            for batch in (await crashed.getmany(timeout_ms=100)).values():
                fetched.extend(batch)
            return len(fetched) >= 3

        await eventually(fetched_all, message="member A fetching the events")
        applier = ConsumerRunner(
            service="events-tests",
            group_id=group_id,
            bootstrap_servers=kafka_bootstrap,
            sessionmaker=events_db.sessionmaker,
            handlers={thing: effect_handler(group_id)},
            dlq_producer=producer,
        )
        assert [await applier.process(record) for record in fetched] == ["applied"] * 3
    finally:
        await crashed.stop()  # auto-commit is off: leaving the group commits nothing

    # Member B, same group: gets every message again and drops each as already applied.
    runner = await start_runner(thing)
    assert await runner.wait_outcomes(3) == ["duplicate"] * 3
    for envelope, _ in envelopes:
        assert await count_effects(events_db.sessionmaker, event_id=envelope.id) == 1
    assert await count_processed(events_db.sessionmaker, group_id) == 3

    # ... and, having applied them, B commits the offsets past them.
    expected = {TopicPartition(thing.topic(), p): o + 1 for p, o, _ in runner.outcomes}
    probe = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group_id, enable_auto_commit=False)
    await probe.start()
    try:

        async def committed() -> bool:
            return all([await probe.committed(tp) == offset for tp, offset in expected.items()])

        await eventually(committed, message="member B committing its offsets")
    finally:
        await probe.stop()


async def test_unknown_types_and_fields_are_ignored(
    events_db: EventsDb, kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory
) -> None:
    thing = thing_type(unique_producer())
    await create_topics(kafka_bootstrap, thing.topic())
    _, unknown_type = envelope_bytes(
        thing(thing_id="t-1", quantity=1), subject="t-1", type=f"aftersales.{thing.producer}.Unheard.v1"
    )
    newer, newer_value = envelope_bytes(
        thing(thing_id="t-1", quantity=5),
        subject="t-1",
        data_overrides={"added_in_v1_1": "a field this consumer does not know"},
        someextension="an envelope attribute this consumer does not know",
    )
    await produce(kafka_bootstrap, thing.topic(), [(b"t-1", unknown_type), (b"t-1", newer_value)])

    runner = await start_runner(thing)

    assert await runner.wait_outcomes(2) == ["ignored", "applied"]
    assert await count_effects(events_db.sessionmaker, event_id=newer.id, quantity=5) == 1
    assert await count_effects(events_db.sessionmaker, consumer=group_id) == 1
    assert await count_processed(events_db.sessionmaker, group_id) == 1  # the ignored one is not recorded
    assert await read_topic(kafka_bootstrap, f"{thing.topic()}.dlq") == []
