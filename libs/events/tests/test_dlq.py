"""Poison messages are parked in ``<topic>.dlq`` with their error, the partition moves on, and
a parked message can be replayed to its topic."""

from __future__ import annotations

from aftersales_events import EventContext, PermanentError
from aftersales_events.dlq import replay

from .kit import (
    EventsDb,
    RunnerFactory,
    ThingBase,
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


def _headers(record: object) -> dict[str, str]:
    return {k: v.decode() for k, v in getattr(record, "headers", ())}


async def test_malformed_and_invalid_messages_are_dead_lettered_and_the_next_flows(
    events_db: EventsDb, kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory
) -> None:
    thing = thing_type(unique_producer())
    topic = thing.topic()
    await create_topics(kafka_bootstrap, topic)
    _, invalid = envelope_bytes(thing(thing_id="t-1", quantity=1), subject="t-1", data_overrides={"quantity": "lots"})
    good, good_value = envelope_bytes(thing(thing_id="t-1", quantity=7), subject="t-1")
    # One key, so one partition: the good message really is behind the two bad ones.
    await produce(kafka_bootstrap, topic, [(b"t-1", b"{not json"), (b"t-1", invalid), (b"t-1", good_value)])

    runner = await start_runner(thing)

    assert await runner.wait_outcomes(3) == ["dead-lettered", "dead-lettered", "applied"]
    assert await count_effects(events_db.sessionmaker, event_id=good.id, quantity=7) == 1
    assert await count_processed(events_db.sessionmaker, group_id) == 1

    parked = await read_topic(kafka_bootstrap, f"{topic}.dlq")
    assert [r.value for r in parked] == [b"{not json", invalid]
    bad_offsets = [str(offset) for _, offset, outcome in runner.outcomes if outcome == "dead-lettered"]
    for record, offset in zip(parked, bad_offsets, strict=True):
        headers = _headers(record)
        assert headers["dlq.error.type"] == "ValidationError"
        assert headers["dlq.error.message"]
        assert headers["dlq.original.offset"] == offset
        assert headers["dlq.original.topic"] == topic
        assert headers["dlq.consumer"] == group_id
        assert record.key == b"t-1"
    assert "quantity" in _headers(parked[1])["dlq.error.message"]


async def test_handler_that_keeps_failing_is_retried_then_dead_lettered(
    events_db: EventsDb, kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory
) -> None:
    thing = thing_type(unique_producer())
    topic = thing.topic()
    await create_topics(kafka_bootstrap, topic)
    attempts: dict[str, int] = {}
    write_effect = effect_handler(group_id)

    async def handler(ctx: EventContext, payload: ThingBase) -> None:
        attempts[payload.thing_id] = attempts.get(payload.thing_id, 0) + 1
        await write_effect(ctx, payload)  # written, then rolled back with the failed attempt
        if payload.thing_id == "flaky":
            raise RuntimeError("downstream exploded")
        if payload.thing_id == "hopeless":
            raise PermanentError("can never succeed")

    flaky, flaky_value = envelope_bytes(thing(thing_id="flaky", quantity=1), subject="k")
    hopeless, hopeless_value = envelope_bytes(thing(thing_id="hopeless", quantity=1), subject="k")
    good, good_value = envelope_bytes(thing(thing_id="good", quantity=1), subject="k")
    await produce(kafka_bootstrap, topic, [(b"k", flaky_value), (b"k", hopeless_value), (b"k", good_value)])

    # One at a time, so attempts count exactly (a failed batch is one more attempt: test_consumer_batches.py).
    runner = await start_runner(
        thing, handler=handler, max_attempts=3, backoff_base=0.001, backoff_max=0.01, batch_size=1
    )

    assert await runner.wait_outcomes(3) == ["dead-lettered", "dead-lettered", "applied"]
    assert attempts == {"flaky": 3, "hopeless": 1, "good": 1}
    assert await count_effects(events_db.sessionmaker, event_id=flaky.id) == 0
    assert await count_effects(events_db.sessionmaker, event_id=hopeless.id) == 0
    assert await count_effects(events_db.sessionmaker, event_id=good.id) == 1
    # No dedupe row for the parked ones: a replay must be able to apply them.
    assert await count_processed(events_db.sessionmaker, group_id) == 1

    parked = await read_topic(kafka_bootstrap, f"{topic}.dlq")
    assert [r.value for r in parked] == [flaky_value, hopeless_value]
    assert [_headers(r)["dlq.error.type"] for r in parked] == ["RuntimeError", "PermanentError"]
    assert _headers(parked[0])["dlq.error.message"] == "downstream exploded"
    assert [_headers(r)["dlq.original.offset"] for r in parked] == [str(o) for _, o, _ in runner.outcomes[:2]]


async def test_replay_republishes_a_parked_message_to_its_topic(
    events_db: EventsDb, kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory
) -> None:
    thing = thing_type(unique_producer())
    topic = thing.topic()
    await create_topics(kafka_bootstrap, topic)
    broken = {"now": True}
    write_effect = effect_handler(group_id)

    async def handler(ctx: EventContext, payload: ThingBase) -> None:
        if broken["now"]:
            raise PermanentError("the referenced order is unknown (yet)")
        await write_effect(ctx, payload)

    envelope, value = envelope_bytes(thing(thing_id="t-9", quantity=9), subject="t-9")
    await produce(kafka_bootstrap, topic, [(b"t-9", value)])
    runner = await start_runner(thing, handler=handler)
    assert await runner.wait_outcomes(1) == ["dead-lettered"]
    assert await count_effects(events_db.sessionmaker, event_id=envelope.id) == 0

    broken["now"] = False  # the cause is fixed; an operator replays the DLQ
    assert await replay(kafka_bootstrap, f"{topic}.dlq") == 1

    assert await runner.wait_outcomes(2) == ["dead-lettered", "applied"]
    assert await count_effects(events_db.sessionmaker, event_id=envelope.id, quantity=9) == 1
    replayed = runner.messages[1]
    assert replayed.topic == topic
    assert replayed.key == b"t-9"
    assert replayed.value == value
    headers = _headers(replayed)
    assert headers["dlq.replayed"] == "1"
    assert not [k for k in headers if k.startswith("dlq.") and k != "dlq.replayed"]

    # The replay group committed past it: a later replay sends only what was parked since.
    later, later_value = envelope_bytes(thing(thing_id="t-10", quantity=10), subject="t-9")
    await produce(kafka_bootstrap, f"{topic}.dlq", [(b"t-9", later_value)])
    assert await replay(kafka_bootstrap, f"{topic}.dlq") == 1
    assert await runner.wait_outcomes(3) == ["dead-lettered", "applied", "applied"]
    assert runner.messages[2].value == later_value
    assert await count_effects(events_db.sessionmaker, event_id=later.id) == 1
    assert await count_effects(events_db.sessionmaker, event_id=envelope.id) == 1
