"""Waits until a running stack has delivered what it published: every outbox row published,
and every consumer group of the stack committed up to the end of each partition it reads.
A condition, not a sleep: what a scan of the logs must wait for before it reads them."""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections.abc import Iterable

import asyncpg  # type: ignore[import-untyped,unused-ignore]
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from aftersales_devstack.services import ServiceProcess
from aftersales_devstack.urls import service

UNPUBLISHED = "SELECT count(*) FROM outbox WHERE published_at IS NULL"


def _database(process: ServiceProcess) -> str:
    url = process.env[f"{service(process.name).env_prefix}DATABASE_URL"]
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _group(process: ServiceProcess) -> str:
    """The service's consumer group: its setting, else the chassis' default."""
    return process.env.get(f"{service(process.name).env_prefix}CONSUMER_GROUP") or f"{process.name}-service"


async def _unpublished(processes: list[ServiceProcess]) -> dict[str, int]:
    left = {}
    for process in processes:
        connection = await asyncpg.connect(_database(process))
        try:
            left[process.name] = int(await connection.fetchval(UNPUBLISHED))
        finally:
            await connection.close()
    return {name: count for name, count in left.items() if count}


def _assigned(process: ServiceProcess) -> set[TopicPartition]:
    """The partitions the service's consumer holds, from its ``consumer_lag_messages`` series
    (one per assigned partition once fetched): the ones it has yet to commit on count too."""
    with urllib.request.urlopen(f"{process.url}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        TopicPartition(sample.labels["topic"], int(sample.labels["partition"]))
        for family in text_string_to_metric_families(text)
        if family.name == "consumer_lag_messages"
        for sample in family.samples
    }


async def _behind(processes: list[ServiceProcess], bootstrap: str) -> dict[str, int]:
    """Per group, how many messages lie between its committed offsets and the ends of the
    partitions it holds or has committed on. Read with a consumer of the group that never
    subscribes (Tansu answers the consumer's OffsetFetch, not the admin client's)."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in await reader.topics()
            if not topic.endswith(".dlq")
            for partition in reader.partitions_for_topic(topic) or ()
        ]
        ends = await reader.end_offsets(partitions)
    finally:
        await reader.stop()
    behind = {}
    for process in processes:
        group = _group(process)
        held = _assigned(process)
        member = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
        await member.start()
        try:
            committed = {tp: await member.committed(tp) for tp in partitions}
        finally:
            await member.stop()
        behind[group] = sum(
            ends[tp] - (offset or 0) for tp, offset in committed.items() if offset is not None or tp in held
        )
    return {group: count for group, count in behind.items() if count > 0}


async def delivered(processes: Iterable[ServiceProcess], bootstrap: str, *, timeout: float = 60.0) -> None:
    """Returns once nothing is left to publish or to consume; raises TimeoutError naming what
    is still waiting after ``timeout`` seconds."""
    stack = list(processes)
    deadline = time.monotonic() + timeout
    while True:
        waiting: dict[str, int] = {f"{name} outbox": n for name, n in (await _unpublished(stack)).items()}
        if not waiting:  # published first, then consumed: a group is behind only what reached the broker
            waiting = {f"group {group}": n for group, n in (await _behind(stack, bootstrap)).items()}
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"not delivered after {timeout:g} s: {waiting}")
        await asyncio.sleep(0.2)
