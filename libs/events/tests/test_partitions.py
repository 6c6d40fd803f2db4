"""Partition workers: each partition in order and in batches, side by side, paused when
behind, closed by finishing the batch in hand and committing it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest
from aiokafka import ConsumerRecord, TopicPartition

from aftersales_chassis.testing import eventually
from aftersales_events import EventContext
from aftersales_events.partitioning import partition_for
from aftersales_events.partitions import PartitionDispatcher, Record

from .kit import (
    EventsDb,
    RunnerFactory,
    ThingBase,
    count_effects,
    create_topics,
    effect_handler,
    envelope_bytes,
    produce,
    thing_type,
    unique_producer,
)

P0, P1 = TopicPartition("t", 0), TopicPartition("t", 1)


def records(tp: TopicPartition, offsets: range) -> list[Record]:
    return [ConsumerRecord(tp.topic, tp.partition, o, 0, 0, b"k", b"v", None, 0, 0, ()) for o in offsets]


class Applier:
    """Records the batches applied per partition; a partition in ``held`` waits for release."""

    def __init__(self) -> None:
        self.batches: dict[int, list[list[int]]] = {}
        self.held: dict[int, asyncio.Event] = {}
        self.started: dict[int, asyncio.Event] = {}

    async def __call__(self, messages: Sequence[Record]) -> None:
        partition = messages[0].partition
        self.started.setdefault(partition, asyncio.Event()).set()
        if partition in self.held:
            await self.held[partition].wait()
        self.batches.setdefault(partition, []).append([m.offset for m in messages])


class Committer:
    def __init__(self) -> None:
        self.commits: list[dict[TopicPartition, int]] = []

    async def __call__(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))


class PausingConsumer:
    def __init__(self) -> None:
        self.paused: set[TopicPartition] = set()

    def pause(self, tp: TopicPartition) -> None:
        self.paused.add(tp)

    def resume(self, tp: TopicPartition) -> None:
        self.paused.discard(tp)


async def settled(condition: Callable[[], object], what: str) -> None:
    await eventually(condition, timeout=5, interval=0.005, message=what)


async def test_each_partition_is_applied_in_order_in_batches() -> None:
    applier = Applier()
    dispatcher = PartitionDispatcher(applier, Committer(), batch_size=3, max_backlog=10, name="t")
    dispatcher.feed({P0: records(P0, range(0, 5)), P1: records(P1, range(10, 12))})
    dispatcher.feed({P0: records(P0, range(5, 8))})

    await settled(lambda: dispatcher.to_commit() == {P0: 8, P1: 12}, "both partitions applied")
    assert [o for batch in applier.batches[0] for o in batch] == list(range(8))
    assert max(len(batch) for batch in applier.batches[0]) == 3
    assert applier.batches[1] == [[10, 11]]
    await dispatcher.close()


async def test_a_partition_waiting_on_its_batch_does_not_hold_up_the_others() -> None:
    applier = Applier()
    applier.held[0] = asyncio.Event()
    dispatcher = PartitionDispatcher(applier, Committer(), batch_size=3, max_backlog=10, name="t")
    dispatcher.feed({P0: records(P0, range(0, 2))})
    await settled(lambda: 0 in applier.started, "partition 0 started")
    dispatcher.feed({P1: records(P1, range(0, 4))})

    await settled(lambda: dispatcher.to_commit() == {P1: 4}, "partition 1 applied while 0 waits")
    assert 0 not in applier.batches
    applier.held[0].set()
    await settled(lambda: dispatcher.to_commit() == {P0: 2, P1: 4}, "partition 0 applied")
    await dispatcher.close()


async def test_a_partition_far_behind_is_paused_until_it_has_caught_up() -> None:
    applier = Applier()
    applier.held[0] = asyncio.Event()
    consumer = PausingConsumer()
    dispatcher = PartitionDispatcher(applier, Committer(), batch_size=2, max_backlog=4, name="t")
    dispatcher.feed({P0: records(P0, range(0, 2))})
    await settled(lambda: 0 in applier.started, "partition 0 started")
    dispatcher.feed({P0: records(P0, range(2, 5))})
    dispatcher.regulate(consumer)  # type: ignore[arg-type]
    assert consumer.paused == set()  # 3 waiting: below the limit
    dispatcher.feed({P0: records(P0, range(5, 6))})
    dispatcher.regulate(consumer)  # type: ignore[arg-type]
    assert consumer.paused == {P0}  # 4 waiting behind the held batch

    applier.held[0].set()
    await settled(lambda: dispatcher.to_commit().get(P0) == 6, "partition 0 caught up")
    dispatcher.regulate(consumer)  # type: ignore[arg-type]
    assert consumer.paused == set()
    await dispatcher.close()


async def test_closing_finishes_the_batch_in_hand_commits_it_and_drops_the_rest() -> None:
    applier, committer = Applier(), Committer()
    applier.held[0] = asyncio.Event()
    dispatcher = PartitionDispatcher(applier, committer, batch_size=2, max_backlog=10, name="t")
    dispatcher.feed({P0: records(P0, range(0, 6)), P1: records(P1, range(0, 1))})
    await settled(lambda: 0 in applier.started and dispatcher.to_commit() == {P1: 1}, "batches in hand")

    closing = asyncio.create_task(dispatcher.close([P0]))
    await asyncio.sleep(0.05)
    assert not closing.done()  # it waits for the batch in hand
    applier.held[0].set()
    await closing

    assert applier.batches[0] == [[0, 1]]  # the rest was dropped: the next owner reads it again
    assert committer.commits == [{P0: 2}]  # only the closed partition's offsets
    assert dispatcher.to_commit() == {P1: 1}  # partition 1 keeps running
    await dispatcher.close()
    assert committer.commits[-1] == {P1: 1}


async def test_a_worker_that_dies_is_reported() -> None:
    async def broken(messages: Sequence[Record]) -> None:
        raise RuntimeError("boom")

    dispatcher = PartitionDispatcher(broken, Committer(), batch_size=2, max_backlog=10, name="t")
    dispatcher.feed({P0: records(P0, range(0, 1))})
    await settled(lambda: dispatcher.failure() is not None, "the failure reported")
    assert isinstance(dispatcher.failure(), RuntimeError)
    assert dispatcher.to_commit() == {}  # nothing applied, nothing to commit


@pytest.mark.usefixtures("events_db")
async def test_the_runner_applies_other_partitions_while_one_waits(
    kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory
) -> None:
    thing = thing_type(unique_producer())
    topic = thing.topic()
    await create_topics(kafka_bootstrap, topic)
    keys = {partition_for(f"k{i}".encode(), range(3)): f"k{i}" for i in range(50)}
    held_key, free_key = keys[0], keys[1]
    release, started = asyncio.Event(), asyncio.Event()

    async def handler(ctx: EventContext, payload: object) -> None:
        if ctx.envelope.subject == held_key:
            started.set()
            await release.wait()

    runner = await start_runner(thing, handler=handler)
    _, held = envelope_bytes(thing(thing_id="held", quantity=1), subject=held_key)
    await produce(kafka_bootstrap, topic, [(held_key.encode(), held)])
    await asyncio.wait_for(started.wait(), 30)

    free = [envelope_bytes(thing(thing_id=f"f{i}", quantity=i), subject=free_key)[1] for i in range(3)]
    await produce(kafka_bootstrap, topic, [(free_key.encode(), value) for value in free])
    try:
        assert await runner.wait_outcomes(3) == ["applied"] * 3
        assert {partition for partition, _, _ in runner.outcomes} == {1}
    finally:
        release.set()
    assert await runner.wait_outcomes(4) == ["applied"] * 4


async def test_a_rebalance_mid_stream_applies_every_message_once(
    events_db: EventsDb, kafka_bootstrap: str, group_id: str, start_runner: RunnerFactory
) -> None:
    thing = thing_type(unique_producer())
    topic = thing.topic()
    await create_topics(kafka_bootstrap, topic)
    made = [envelope_bytes(thing(thing_id=f"t{i}", quantity=i), subject=f"s{i}") for i in range(300)]
    await produce(kafka_bootstrap, topic, [(f"s{i}".encode(), value) for i, (_, value) in enumerate(made)])
    inner = effect_handler(group_id)

    async def slow(ctx: EventContext, payload: ThingBase) -> None:
        await asyncio.sleep(0.05)  # alone, the first member would take 5 s: the second joins mid-stream
        await inner(ctx, payload)

    first = await start_runner(thing, handler=slow, batch_size=5)
    await first.wait_outcomes(5)
    second = await start_runner(thing, handler=inner, batch_size=5)  # joins: the group rebalances

    async def all_applied() -> bool:
        return await count_effects(events_db.sessionmaker, consumer=group_id) >= len(made)

    await eventually(all_applied, timeout=60, message="every message applied")
    for envelope, _ in made:
        assert await count_effects(events_db.sessionmaker, event_id=envelope.id) == 1
    outcomes = [o for runner in (first, second) for _, _, o in runner.outcomes]
    assert outcomes.count("applied") == len(made)
    assert set(outcomes) <= {"applied", "duplicate"}
    assert first.outcomes
    assert second.outcomes  # the rebalance handed it partitions with messages left
