"""Poison messages are parked in ``<topic>.dlq`` with their error, the partition moves on, and
a parked message can be replayed to its topic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aftersales_events import EventContext, PermanentError
from aftersales_events.dlq import parked, replay
from aftersales_events.testing import dlq_command

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
    assert (await replay(kafka_bootstrap, f"{topic}.dlq")).replayed == 1

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
    assert (await replay(kafka_bootstrap, f"{topic}.dlq")).replayed == 1
    assert await runner.wait_outcomes(3) == ["dead-lettered", "applied", "applied"]
    assert runner.messages[2].value == later_value
    assert await count_effects(events_db.sessionmaker, event_id=later.id) == 1
    assert await count_effects(events_db.sessionmaker, event_id=envelope.id) == 1


async def test_an_unknown_version_of_a_handled_event_is_parked_not_ignored(
    events_db: EventsDb, kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory
) -> None:
    """A producer that moved to v2 while this consumer knows v1: dropping v2 as an unknown type
    would lose the producer's events silently. Parked with its error, header or not; the
    partition moves on; a type of which the consumer knows no version is still ignored."""
    thing = thing_type(unique_producer())
    topic = thing.topic()
    await create_topics(kafka_bootstrap, topic)
    v2_type = thing.event_type().removesuffix(".v1") + ".v2"
    _, v2 = envelope_bytes(thing(thing_id="t-1", quantity=2), subject="t-1", type=v2_type)
    _, other = envelope_bytes(thing(thing_id="t-1", quantity=3), subject="t-1", type=f"{v2_type}x.v1")
    good, good_value = envelope_bytes(thing(thing_id="t-1", quantity=4), subject="t-1")
    producer_messages = [(b"t-1", v2), (b"t-1", other), (b"t-1", good_value)]
    await produce(kafka_bootstrap, topic, producer_messages)
    runner = await start_runner(thing)

    assert await runner.wait_outcomes(3) == ["dead-lettered", "ignored", "applied"]
    assert await count_effects(events_db.sessionmaker, event_id=good.id) == 1
    [record] = await read_topic(kafka_bootstrap, f"{topic}.dlq")
    headers = _headers(record)
    assert headers["dlq.error.type"] == "UnknownEventVersion"
    assert v2_type in headers["dlq.error.message"]
    assert thing.event_type() in headers["dlq.error.message"]

    # With the relay's type header (parsed, not skipped unparsed as an unknown type is).
    runner_by_header = await runner.process(
        type(runner.messages[0])(**{**vars(runner.messages[0]), "headers": [("event_type", v2_type.encode())]})
    )
    assert runner_by_header == "dead-lettered"


async def test_list_shows_what_is_parked_and_replay_fixes_skips_and_selects_by_consumer(
    events_db: EventsDb, kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory, tmp_path: Path
) -> None:
    thing = thing_type(unique_producer())
    topic, dlq = thing.topic(), f"{thing.topic()}.dlq"
    await create_topics(kafka_bootstrap, topic)
    write_effect = effect_handler(group_id)
    broken = {"now": True}

    async def handler(ctx: EventContext, payload: ThingBase) -> None:
        if broken["now"] and payload.thing_id == "later":
            raise PermanentError("the referenced thing is unknown (yet)")
        await write_effect(ctx, payload)

    later, later_value = envelope_bytes(thing(thing_id="later", quantity=1), subject="k")
    never, never_value = envelope_bytes(
        thing(thing_id="never", quantity=1), subject="k", data_overrides={"quantity": "x"}
    )
    corrected, corrected_value = envelope_bytes(thing(thing_id="mangled", quantity=5), subject="k")
    await produce(kafka_bootstrap, topic, [(b"k", later_value), (b"k", b'{"id": tru'), (b"k", never_value)])
    runner = await start_runner(thing, handler=handler, max_attempts=1)
    assert await runner.wait_outcomes(3) == ["dead-lettered"] * 3
    # Another consumer's parked message, in the same DLQ topic.
    await produce(kafka_bootstrap, dlq, [(b"k", later_value)])

    listed = await parked(kafka_bootstrap, dlq, consumer=group_id)
    assert [m.consumer for m in listed] == [group_id] * 3
    assert [m.header("dlq.error.type") for m in listed] == ["PermanentError", "ValidationError", "ValidationError"]
    assert listed[0].event == (thing.event_type(), str(later.id))
    assert listed[1].event[1] is None  # malformed: no id to tell
    shown = await dlq_command("list", "--bootstrap", kafka_bootstrap, "--topic", dlq, "--consumer", group_id, "--json")
    assert [json.loads(line)["ref"] for line in shown.splitlines()] == [m.ref for m in listed]
    assert "unknown (yet)" in json.loads(shown.splitlines()[0])["error"]

    with pytest.raises(ValueError, match="9:999"):
        await replay(kafka_bootstrap, dlq, consumer=group_id, skip={"9:999"})

    broken["now"] = False  # the cause is fixed; the malformed one is corrected by hand; one is dropped
    fix = tmp_path / "corrected.json"
    fix.write_bytes(corrected_value)
    done = await dlq_command(
        "replay", "--bootstrap", kafka_bootstrap, "--topic", dlq, "--consumer", group_id,
        "--fix", f"{listed[1].ref}={fix}", "--skip", listed[2].ref,
    )  # fmt: skip
    assert "replayed 2 message(s)" in done
    assert "1 corrected, 1 skipped" in done
    assert await runner.wait_outcomes(5) == ["dead-lettered"] * 3 + ["applied", "applied"]
    assert await count_effects(events_db.sessionmaker, event_id=later.id) == 1
    assert await count_effects(events_db.sessionmaker, event_id=corrected.id, quantity=5) == 1
    assert await count_effects(events_db.sessionmaker, event_id=never.id) == 0
    # Replayed once: nothing of this consumer's is parked any more; the other one's still is.
    assert await parked(kafka_bootstrap, dlq, consumer=group_id) == []
    assert [m.consumer for m in await parked(kafka_bootstrap, dlq)] == [group_id] * 3 + [None]
