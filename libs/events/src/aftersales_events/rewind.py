"""Reading every partition again from the start once the broker lost its log (ADR 0027):
the listener that seeks a partition back the first time it is assigned, and the tear-down
of a consumer whose ``stop()`` got stuck in the group coordination or tripped over its own
cancellation."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from .partitions import PartitionDispatcher

log = structlog.get_logger("aftersales_events.rewind")


class FromTheStart(ConsumerRebalanceListener):  # type: ignore[misc]
    """After the broker lost its log: each partition, the first time it is assigned, is read
    from the start of the new log, whatever offset an earlier member committed into it."""

    def __init__(self, inner: PartitionDispatcher, rewound: set[TopicPartition]) -> None:
        self._inner = inner
        self._rewound = rewound
        self.consumer: AIOKafkaConsumer | None = None

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._inner.on_partitions_revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        fresh = [tp for tp in assigned if tp not in self._rewound]
        if fresh and self.consumer is not None:
            await self.consumer.seek_to_beginning(*fresh)
            self._rewound.update(fresh)
        await self._inner.on_partitions_assigned(assigned)


async def tear_down(consumer: AIOKafkaConsumer) -> None:
    """What ``stop()`` did not get to once it timed out (it waits for the group coordination
    first, which a broker restart can leave stuck): a member still heartbeating would keep
    partitions assigned that nobody fetches. aiokafka has no public call for this part."""
    coordinator = getattr(consumer, "_coordinator", None)
    for name in ("_stop_heartbeat_task", "_stop_commit_offsets_refresh_task"):
        stop = getattr(coordinator, name, None)
        if stop is not None:
            with contextlib.suppress(Exception):
                await stop()
    fetcher = getattr(consumer, "_fetcher", None)
    if fetcher is not None:
        with contextlib.suppress(Exception):
            await fetcher.close()
    client = getattr(consumer, "_client", None)
    if client is not None:
        with contextlib.suppress(Exception):
            await client.close()


async def stop_consumer(consumer: AIOKafkaConsumer) -> None:
    """``consumer.stop()``, finished when aiokafka trips over its own cancellation.

    Its fetcher's ``close()`` cancels each fetch task and awaits it. A task caught in the
    back-off after a failed fetch (a request that timed out, a broker gone) lets that
    CancelledError out (aio-libs/aiokafka#974), so ``stop()`` raises it, never closes the
    client, and the caller's shutdown stops there: the relay, the producer and the database
    pool were left open. Seen when the event loop had been blocked past the fetch timeout
    (40 s) just before a shutdown. A cancellation of the calling task itself still goes
    through."""
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
        log.warning("events.consumer.stop_interrupted", reason="aiokafka fetch task cancelled in its back-off")
        # The rest of stop(): the fetch tasks the fetcher's close did not get to, then the client.
        pending = list(getattr(getattr(consumer, "_fetcher", None), "_pending_tasks", ()))
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await consumer._client.close()
