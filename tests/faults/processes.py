"""Services as processes that a fault scenario kills with SIGKILL and starts again, events put
on the real broker as a producing service would, and reads of a service's database.

Each scenario's services run on databases of their own (cloned from the session's migrated
template) and in consumer groups of their own, so nothing else of the session reads their
partitions and what they book is theirs alone. Their output goes to
``.data/faults/logs/<scenario>-<service>.log``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from aftersales_devstack.pytest_plugin import ServiceDatabaseFactory
from aftersales_devstack.services import ServiceProcess, service_env
from aftersales_devstack.urls import libpq_url, service
from aftersales_events import EventPayload
from aftersales_events.envelope import EncodedEvent, encode_events
from aftersales_events.kafka import make_producer
from aftersales_events.relay import STRUCTURED, TYPE_HEADER

LOGS = Path(".data/faults/logs")


class Restartable:
    """A service process that can be killed (SIGKILL, no shutdown of any kind) and started
    again with the same settings on the same port: its database, its consumer group."""

    def __init__(self, name: str, env: dict[str, str], log_name: str) -> None:
        self.name = name
        self.env = env
        self.app: str | None = None
        """Another ``module:app`` to start on restart (a fixed deployment); None: the service's own."""
        LOGS.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = (LOGS / f"{log_name}.log").open("ab")
        self.process = ServiceProcess(name, env, stdout=self._log, stderr=self._log)
        self.port = self.process.port
        self.url = self.process.url
        self.kills = 0

    @property
    def database_url(self) -> str:
        return self.process.database_url

    async def healthy(self, timeout: float = 240.0) -> None:
        await asyncio.to_thread(self.process.wait_healthy, timeout)

    def kill(self) -> None:
        """kill -9: the process and its group, mid-whatever it was doing."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.process.pid, signal.SIGKILL)
        self.process.process.wait()
        self.kills += 1

    async def restart(self, *, wait: bool = True) -> float:
        """Started again on its port (spawned from this thread: it dies with the test process);
        returns the seconds until it answered /healthz (0 when not waited for)."""
        assert not self.process.running
        started = time.monotonic()
        self.process = ServiceProcess(
            self.name, self.env, port=self.port, app=self.app, stdout=self._log, stderr=self._log
        )
        if not wait:
            return 0.0
        await self.healthy()
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process.running:
            self.process.stop()
        self._log.close()


@dataclass(frozen=True)
class Servers:
    """The session's servers, from its fixtures: where a scenario's services run."""

    service_database_url: ServiceDatabaseFactory
    kafka_bootstrap: str
    jwt_secret: str
    run_id: str

    def env(self, name: str, scenario: str, **settings: str) -> dict[str, str]:
        """A scenario's settings for ``name``: its own database (``<run>_<name>_<scenario>``)
        and consumer group (``<name>-<scenario>-<run>``); ``settings`` are further ``<NAME>_*``
        ones, given without the prefix (``OUTBOX_BATCH_SIZE="20"``)."""
        prefix = service(name).env_prefix
        return service_env(
            name,
            database_url=self.service_database_url(name, suffix=scenario),
            kafka_bootstrap=self.kafka_bootstrap,
            jwt_secret=self.jwt_secret,
            environment="test",
            extra={
                f"{prefix}CONSUMER_GROUP": f"{name}-{scenario}-{self.run_id}",
                f"{prefix}LOG_LEVEL": "WARNING",
                **{f"{prefix}{key}": value for key, value in settings.items()},
            },
        )


@pytest.fixture
def servers(
    service_database_url: ServiceDatabaseFactory, kafka_bootstrap: str, jwt_secret: str, test_run_id: str
) -> Servers:
    """Import it into a scenario's module: ``from .processes import servers``."""
    return Servers(service_database_url, kafka_bootstrap, jwt_secret, test_run_id)


@asynccontextmanager
async def running(*services: Restartable) -> AsyncIterator[None]:
    """Waits until every service is healthy; stops them (whatever state they are in) at the end."""
    try:
        for svc in services:
            await svc.healthy()
        yield
    finally:
        for svc in services:
            svc.stop()


def encode(payloads: Sequence[tuple[EventPayload, str]], *, at: datetime) -> list[EncodedEvent]:
    """Events as a producing service's outbox holds them: the one envelope rendering."""
    return encode_events(payloads, time=at)


def headers_of(event: EncodedEvent) -> list[tuple[str, bytes]]:
    """The headers the outbox relay sends with an event."""
    return [STRUCTURED, (TYPE_HEADER, event.type.encode()), ("correlation_id", (event.correlation_id or "").encode())]


class Publisher:
    """Puts messages on the broker as the relay does (key → partition by the default rule)."""

    def __init__(self, bootstrap: str) -> None:
        self.producer: AIOKafkaProducer = make_producer(bootstrap, "fault-suite")

    async def __aenter__(self) -> Publisher:
        await self.producer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.producer.stop()

    async def send(
        self, topic: str, key: str, value: bytes, headers: Iterable[tuple[str, bytes]] = ()
    ) -> asyncio.Future[Any]:
        """Queued for sending; await the returned future for the broker's ack."""
        ack: asyncio.Future[Any] = await self.producer.send(topic, value=value, key=key.encode(), headers=list(headers))
        return ack

    async def events(self, events: Iterable[EncodedEvent]) -> None:
        """Sends the events (in the given order) and waits for every ack."""
        acks = [await self.send(e.topic, e.key, e.envelope_json.encode(), headers_of(e)) for e in events]
        await asyncio.gather(*acks)


async def fetch(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    """Rows of ``query`` on the service database at ``url`` (a connection of its own)."""
    conn = await asyncpg.connect(libpq_url(url), timeout=30)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows
    finally:
        await conn.close()


async def scalar(url: str, query: str, *args: Any) -> Any:
    return (await fetch(url, query, *args))[0][0]


async def account_sums(finance_url: str, sources: list[str]) -> dict[str, int]:
    """Account code → the sum of the postings of finance's transactions with these sources."""
    rows = await fetch(
        finance_url,
        "SELECT a.code, sum(p.amount_minor) AS total FROM postings p JOIN accounts a ON a.id = p.account_id"
        " JOIN ledger_transactions t ON t.id = p.transaction_id WHERE t.source = ANY($1::text[])"
        " GROUP BY a.code",
        sources,
    )
    return {row["code"]: int(row["total"]) for row in rows}


async def topic_event_ids(bootstrap: str, topic: str, keys: set[str], *, quiet: float = 2.0) -> dict[uuid.UUID, int]:
    """How many times each event id was published on ``topic`` under one of ``keys`` (read
    from the start with no group, until the topic stays quiet for ``quiet`` seconds)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    counts: dict[uuid.UUID, int] = {}
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        while batches := await consumer.getmany(*partitions, timeout_ms=int(quiet * 1000), max_records=5000):
            for records in batches.values():
                for record in records:
                    if (record.key or b"").decode() in keys:
                        event_id = uuid.UUID(json.loads(record.value or b"")["id"])
                        counts[event_id] = counts.get(event_id, 0) + 1
    finally:
        await consumer.stop()
    return counts
