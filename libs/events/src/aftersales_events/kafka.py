"""Broker clients configured to work against Tansu and real Kafka unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

log = structlog.get_logger("events.kafka")


def make_producer(bootstrap_servers: str, client_id: str, *, idempotence: bool = False) -> AIOKafkaProducer:
    """acks=all always; the idempotent producer only when asked (a real Kafka): Tansu has
    none, and at-least-once plus idempotent consumers covers it there."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=idempotence,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15000,
    )


DEFAULT_SESSION_TIMEOUT_MS = 10_000
"""aiokafka's own default: a member that sends no heartbeat for this long leaves the group.
Against the embedded Tansu the devstack sets less (``broker.SESSION_TIMEOUT_MS``)."""

DEFAULT_FETCH_MAX_WAIT_MS = 500
"""aiokafka's own default: how long the broker may hold a fetch that found nothing new. Kafka
answers as soon as a record arrives; the embedded Tansu holds the fetch to its end, so the
devstack sets less (``broker.FETCH_MAX_WAIT_MS``)."""


def make_consumer(
    bootstrap_servers: str,
    group_id: str,
    topics: Iterable[str],
    *,
    listener: ConsumerRebalanceListener | None = None,
    session_timeout_ms: int = DEFAULT_SESSION_TIMEOUT_MS,
    fetch_max_wait_ms: int = DEFAULT_FETCH_MAX_WAIT_MS,
) -> AIOKafkaConsumer:
    """Offsets committed by hand, a new group reads from the start; heartbeats at a third of
    the session timeout (Kafka's advice), so two lost heartbeats do not evict the member."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=max(100, session_timeout_ms // 3),
        fetch_max_wait_ms=fetch_max_wait_ms,
    )
    consumer.subscribe(sorted(topics), listener=listener)
    return consumer


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    *,
    partitions: int,
    replication: int = 1,
    min_insync_replicas: int | None = None,
) -> None:
    """Creates missing topics; existing ones are left as they are.

    ``min_insync_replicas`` (with ``replication`` above it, on a real cluster) makes an
    ``acks=all`` write wait for that many copies; None leaves the broker's default.
    """
    configs = {} if min_insync_replicas is None else {"min.insync.replicas": str(min_insync_replicas)}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="aftersales-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in sorted(set(topics)) if t not in existing]
        if not missing:
            return
        try:
            await admin.create_topics(
                [
                    NewTopic(t, num_partitions=partitions, replication_factor=replication, topic_configs=configs)
                    for t in missing
                ]
            )
        except TopicAlreadyExistsError:
            log.info("events.topics.raced", topics=missing)
        log.info("events.topics.created", topics=missing, partitions=partitions)
    finally:
        await admin.close()


async def broker_reachable(producer: AIOKafkaProducer, timeout: float = 2.0) -> bool:
    try:
        await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout)
    except (KafkaError, TimeoutError, OSError):
        return False
    return True
