"""Partitions applied side by side, each in order, while fetching goes on.

aiokafka's ``getmany`` hands out what its fetcher holds, which is often one partition's
batch at a time: applying each fetch before the next left the other partitions idle while
one batch was in the database (the finance benchmark saw one or two partitions per fetch
out of three). So the fetch loop hands each partition's messages to that partition's
worker and goes on fetching; a worker applies its queue in order, a batch at a time; the
loop commits the offsets the workers have applied. A partition with more than
``max_backlog`` messages waiting is paused (not fetched) until its worker catches up.

On a rebalance (and at shutdown) the workers finish the batch in hand, their applied
offsets are committed, and what they had not started is dropped: the partition's next
owner reads it again from the committed offset.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition

log = structlog.get_logger("events.partitions")

Record: TypeAlias = ConsumerRecord[bytes, bytes]
ApplyBatch = Callable[[Sequence[Record]], Awaitable[Any]]
Commit = Callable[[dict[TopicPartition, int]], Awaitable[None]]


class PartitionWorker:
    """Applies one partition's messages in order, ``batch_size`` at a time."""

    def __init__(self, tp: TopicPartition, apply: ApplyBatch, batch_size: int, name: str) -> None:
        self._apply = apply
        self._batch_size = batch_size
        self._pending: deque[Record] = deque()
        self._wakeup = asyncio.Event()
        self._closing = False
        self.applied_up_to: int | None = None  # the offset to commit: one past the last applied
        self.task = asyncio.create_task(self._loop(), name=f"{name}-{tp.topic}-{tp.partition}")

    @property
    def backlog(self) -> int:
        return len(self._pending)

    def feed(self, messages: Iterable[Record]) -> None:
        self._pending.extend(messages)
        self._wakeup.set()

    async def close(self) -> None:
        """Finishes the batch in hand and drops the rest."""
        self._pending.clear()
        self._closing = True
        self._wakeup.set()
        await asyncio.shield(self.task)

    async def _loop(self) -> None:
        while True:
            if not self._pending:
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            pending = self._pending
            chunk = [pending.popleft() for _ in range(min(self._batch_size, len(pending)))]
            await self._apply(chunk)
            self.applied_up_to = chunk[-1].offset + 1


class PartitionDispatcher(ConsumerRebalanceListener):  # type: ignore[misc]
    """The partition workers of one consumer, its flow control and the offsets to commit."""

    def __init__(self, apply: ApplyBatch, commit: Commit, *, batch_size: int, max_backlog: int, name: str) -> None:
        self._apply = apply
        self._commit = commit
        self._batch_size = batch_size
        self._max_backlog = max(max_backlog, batch_size)
        self._name = name
        self._workers: dict[TopicPartition, PartitionWorker] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._paused: set[TopicPartition] = set()

    def feed(self, fetched: Mapping[TopicPartition, Sequence[Record]]) -> None:
        for tp, messages in fetched.items():
            worker = self._workers.get(tp)
            if worker is None:
                worker = self._workers[tp] = PartitionWorker(tp, self._apply, self._batch_size, self._name)
            worker.feed(messages)

    def regulate(self, consumer: AIOKafkaConsumer) -> None:
        """Pauses partitions whose workers are behind; resumes them once they have caught up."""
        for tp, worker in self._workers.items():
            if tp not in self._paused and worker.backlog >= self._max_backlog:
                consumer.pause(tp)
                self._paused.add(tp)
            elif tp in self._paused and worker.backlog < self._batch_size:
                consumer.resume(tp)
                self._paused.discard(tp)

    def failure(self) -> BaseException | None:
        """The error a worker died of, if one did (the runner stops on it)."""
        for worker in self._workers.values():
            if worker.task.done() and not worker.task.cancelled() and worker.task.exception() is not None:
                return worker.task.exception()
        return None

    def to_commit(self) -> dict[TopicPartition, int]:
        return {
            tp: worker.applied_up_to
            for tp, worker in self._workers.items()
            if worker.applied_up_to is not None and self._committed.get(tp) != worker.applied_up_to
        }

    def committed(self, offsets: Mapping[TopicPartition, int]) -> None:
        self._committed.update(offsets)

    async def close(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        """Lets the workers of ``partitions`` (all if None) finish the batch in hand, commits
        what they applied and forgets them."""
        chosen = list(self._workers) if partitions is None else [tp for tp in partitions if tp in self._workers]
        await asyncio.gather(*(self._workers[tp].close() for tp in chosen), return_exceptions=True)
        offsets = {tp: offset for tp, offset in self.to_commit().items() if tp in chosen}
        if offsets:
            await self._commit(offsets)
        for tp in chosen:
            del self._workers[tp]
            self._committed.pop(tp, None)
            self._paused.discard(tp)

    def abort(self) -> None:
        """Cancels every worker (the runner itself was cancelled)."""
        for worker in self._workers.values():
            worker.task.cancel()

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        if revoked:
            log.info("events.consumer.partitions_revoked", consumer=self._name, partitions=len(revoked))
        await self.close(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        """Workers start with a partition's first fetched messages."""
