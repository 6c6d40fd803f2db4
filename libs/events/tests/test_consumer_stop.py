"""A consumer stopped while its fetch task sits in the back-off after a failed fetch: aiokafka's
``stop()`` lets the CancelledError of that task out (aio-libs/aiokafka#974) and leaves its
client open; ``stop_consumer`` finishes the stop. A real broker, frozen with SIGSTOP so that
a fetch times out, then stopped while the fetcher waits to retry."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from aftersales_devstack.broker import Broker
from aftersales_events.rewind import stop_consumer

TOPIC = "stop-test"


@pytest.fixture
def frozen_later() -> Iterator[Broker]:
    """A broker of this test's own (the session's must not be frozen), thawed and stopped at the end."""
    broker = Broker()
    try:
        yield broker
    finally:
        os.kill(broker.process.pid, signal.SIGCONT)
        broker.stop()


async def _fetching_consumer(bootstrap: str) -> AIOKafkaConsumer:
    """No group (no coordinator to leave), a fetch that times out after 1 s, then 5 s of back-off."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(TOPIC, b"x", partition=0)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, request_timeout_ms=1000, retry_backoff_ms=5000, fetch_max_wait_ms=100
    )
    await consumer.start()
    consumer.assign([TopicPartition(TOPIC, 0)])
    await consumer.getmany(timeout_ms=500)
    return consumer


async def _in_back_off(broker: Broker, consumer: AIOKafkaConsumer) -> None:
    """The broker frozen until the fetch in flight times out: aiokafka then drops the
    connection and the fetcher sleeps 5 s before its retry."""
    os.kill(broker.process.pid, signal.SIGSTOP)
    deadline = time.monotonic() + 10
    while consumer._client._conns:
        assert time.monotonic() < deadline, "the fetch never timed out"
        await asyncio.sleep(0.05)


async def test_aiokafka_stop_lets_out_the_cancelled_fetch_in_its_back_off(frozen_later: Broker) -> None:
    """The failure stop_consumer exists for: if aiokafka fixes it, this test says so."""
    consumer = await _fetching_consumer(frozen_later.bootstrap)
    await _in_back_off(frozen_later, consumer)
    with pytest.raises(asyncio.CancelledError):
        await consumer.stop()
    client = consumer._client
    assert client._sync_task is not None, "the client was left open"
    await client.close()


async def test_stop_consumer_finishes_the_stop_and_closes_the_client(frozen_later: Broker) -> None:
    consumer = await _fetching_consumer(frozen_later.bootstrap)
    await _in_back_off(frozen_later, consumer)
    await stop_consumer(consumer)
    assert consumer._client._sync_task is None, "the client is closed"
    assert all(task.done() for task in consumer._fetcher._pending_tasks)


class _CancelledWhileStopping:
    """A consumer whose stop() is interrupted by a cancellation of the task that stops it."""

    async def stop(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await asyncio.sleep(0)


async def test_a_cancellation_of_the_caller_still_goes_through() -> None:
    with pytest.raises(asyncio.CancelledError):
        await asyncio.create_task(stop_consumer(_CancelledWhileStopping()))  # type: ignore[arg-type]
