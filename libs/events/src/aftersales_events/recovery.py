"""Recovering from a broker that lost its log.

At start, and every few seconds while it runs (:class:`BrokerWatch`, ADR 0027), the relay
checks that the marker record it wrote last time is still in the
broker (``aftersales.relay-markers``, at the partition and offset kept in ``relay_markers``).
If it is gone, every retained outbox row (published ones are kept for the retention
period) is marked unpublished, so the relay publishes them again in order and consumers'
``processed_events`` drop what they already applied. Then a new marker is written.

The same path as a command, for a real cluster that lost data:

    python -m aftersales_events.recovery --database-url postgresql://... [--since 2026-11-20T00:00:00+08:00]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Literal

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from .metrics import BROKER_LOG_LOST
from .rewind import stop_consumer
from .tables import outbox, relay_markers

MARKER_TOPIC = "aftersales.relay-markers"
log = structlog.get_logger("events.recovery")

MarkerState = Literal["first-run", "intact", "lost", "unknown"]


async def _marker_state(
    bootstrap_servers: str, topic: str, partition: int, offset: int, epoch: uuid.UUID, timeout: float
) -> MarkerState:
    tp = TopicPartition(topic, partition)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False, group_id=None)
    try:
        await consumer.start()
        end = (await consumer.end_offsets([tp])).get(tp, 0)
        if end <= offset:
            return "lost"
        consumer.assign([tp])
        consumer.seek(tp, offset)
        records = (await consumer.getmany(tp, timeout_ms=int(timeout * 1000), max_records=1)).get(tp, [])
    finally:
        await stop_consumer(consumer)
    if not records:
        return "unknown"
    record = records[0]
    try:
        found = json.loads(record.value or b"{}").get("epoch")
    except ValueError:
        return "lost"
    return "intact" if record.offset == offset and found == str(epoch) else "lost"


async def check_broker_log(
    sessionmaker: async_sessionmaker[AsyncSession],
    producer: AIOKafkaProducer,
    bootstrap_servers: str,
    *,
    service: str,
    timeout: float = 3.0,
) -> MarkerState:
    """Republishes retained outbox rows if the broker lost the marker; writes a new marker."""
    async with sessionmaker() as session:
        marker = (await session.execute(select(relay_markers).where(relay_markers.c.service == service))).first()
    state: MarkerState = "first-run"
    if marker is not None:
        state = await _marker_state(
            bootstrap_servers, marker.topic, marker.partition, marker.offset, marker.epoch, timeout
        )
    if state == "lost":
        count = await mark_unpublished(sessionmaker)
        BROKER_LOG_LOST.labels(service).inc()
        log.warning("events.recovery.broker_log_lost", service=service, republishing=count)
    if state in ("first-run", "lost"):
        await _write_marker(sessionmaker, producer, service)
    return state


class BrokerWatch:
    """Notices, while the service runs, that the broker lost its log (ADR 0027).

    The relay asks :meth:`due` before each batch: every ``interval`` seconds, and at once
    after a batch failed (the broker went away: it may come back empty), :meth:`check`
    reads the marker record this relay wrote. Gone: ``on_lost`` runs first (the service
    re-creates its topics and rewinds its consumers to the start of the new log), then
    every retained outbox row is marked unpublished, which the relay's next batches send
    again in id order, and a new marker is written. A broker that cannot be read now
    (down, frozen) is "unknown": nothing changes, and the check is due again.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        producer: AIOKafkaProducer,
        bootstrap_servers: str,
        *,
        service: str,
        on_lost: Callable[[], Awaitable[None]] | None = None,
        interval: float = 2.0,
        timeout: float = 3.0,
        refresh_after: float = 3600.0,
        max_holds: int = 5,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._producer = producer
        self._bootstrap = bootstrap_servers
        self._service = service
        self._on_lost = on_lost
        self._interval = interval
        self._timeout = timeout
        self._last = time.monotonic()
        self._suspect = False
        self._refresh_after = refresh_after
        self._written = time.monotonic()  # at start the marker was checked or written
        self._max_holds = max_holds
        self._unknown = 0

    def hold(self) -> bool:
        """Publish nothing now: the last check could not read the broker. A broker that just
        came back empty is checked before the first batch goes out, so its topics are
        created as configured and the lost rows go out before new ones. Bounded: after
        ``max_holds`` checks in a row that cannot tell, the relay publishes anyway (the
        marker may be unreadable for good) rather than stall."""
        return 0 < self._unknown <= self._max_holds

    def due(self) -> bool:
        return self._suspect or time.monotonic() - self._last >= self._interval

    def suspect(self) -> None:
        """A publish failed: check before the next batch goes out."""
        self._suspect = True

    async def check(self) -> MarkerState:
        self._last = time.monotonic()
        async with self._sessionmaker() as session:
            marker = (
                await session.execute(select(relay_markers).where(relay_markers.c.service == self._service))
            ).first()
        if marker is None:
            return "first-run"  # written at start; a service started without one has nothing to lose
        try:
            state = await asyncio.wait_for(
                _marker_state(
                    self._bootstrap, marker.topic, marker.partition, marker.offset, marker.epoch, self._timeout
                ),
                self._timeout * 3,
            )
        except (KafkaError, TimeoutError, OSError):
            state = "unknown"
        if state == "lost":
            if self._on_lost is not None:
                await self._on_lost()
            count = await mark_unpublished(self._sessionmaker)
            BROKER_LOG_LOST.labels(self._service).inc()
            log.warning("events.recovery.broker_log_lost", service=self._service, republishing=count, running=True)
        if state == "lost" or (state == "intact" and time.monotonic() - self._written >= self._refresh_after):
            # Also refreshed while intact: a marker older than the topic's retention would be
            # deleted by the broker and read as a lost log.
            await _write_marker(self._sessionmaker, self._producer, self._service)
            self._written = time.monotonic()
        self._suspect = state == "unknown"
        self._unknown = self._unknown + 1 if state == "unknown" else 0
        return state


async def _write_marker(
    sessionmaker: async_sessionmaker[AsyncSession], producer: AIOKafkaProducer, service: str
) -> None:
    epoch = uuid.uuid4()
    value = json.dumps({"service": service, "epoch": str(epoch)}).encode()
    metadata = await producer.send_and_wait(MARKER_TOPIC, value=value, key=service.encode())
    values = {"topic": MARKER_TOPIC, "partition": metadata.partition, "offset": metadata.offset, "epoch": epoch}
    async with sessionmaker() as session, session.begin():
        await session.execute(
            pg_insert(relay_markers)
            .values(service=service, **values)
            .on_conflict_do_update(index_elements=[relay_markers.c.service], set_=values)
        )


async def mark_unpublished(sessionmaker: async_sessionmaker[AsyncSession], since: datetime | None = None) -> int:
    """Marks retained published rows (optionally only those created since ``since``) for republishing."""
    query = update(outbox).where(outbox.c.published_at.is_not(None))
    if since is not None:
        query = query.where(outbox.c.created_at >= since)
    async with sessionmaker() as session, session.begin():
        result = await session.execute(query.values(published_at=None))
    return int(getattr(result, "rowcount", 0) or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales_events.recovery")
    parser.add_argument("--database-url", required=True, help="the service's database (postgresql+asyncpg://...)")
    parser.add_argument("--since", type=datetime.fromisoformat, default=None, help="only rows created since (ISO)")
    args = parser.parse_args(argv)
    if args.since is not None and args.since.tzinfo is None:
        parser.error("--since needs a UTC offset")
    url = args.database_url.replace("postgresql://", "postgresql+asyncpg://", 1)

    async def run() -> int:
        engine = create_async_engine(url)
        try:
            return await mark_unpublished(async_sessionmaker(engine), args.since)
        finally:
            await engine.dispose()

    count = asyncio.run(run())
    sys.stdout.write(f"{count} outbox row(s) marked for republishing; the running relay sends them\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
