"""Parcel events go on their own topic, returns.parcels; returns.events carries none of them."""

from __future__ import annotations

from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from aftersales_chassis import ManualClock
from aftersales_chassis.testing import Tokens, eventually
from aftersales_events import topics_of
from aftersales_events.catalogue import parcels, returns
from aftersales_events.testing import envelope_fields

from .kit import ingest, scan, tracking_number


async def _subjects_on(kafka_bootstrap: str, topic: str, subject: str, *, until: set[str] | None = None) -> set[str]:
    """The event types on ``topic`` about ``subject``: read to its end, or until ``until`` is seen."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    found: set[str] = set()
    try:
        await consumer.topics()  # fetches the cluster's metadata
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)

        async def read() -> bool:
            batches: dict[Any, list[Any]] = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    envelope = envelope_fields(record)
                    if envelope.get("subject") == subject:
                        found.add(envelope["type"].split(".")[2])
            if until is not None:
                return until <= found
            if batches:
                return False
            ends = await consumer.end_offsets(partitions)
            positions = {tp: await consumer.position(tp) for tp in partitions}
            return all(positions[tp] >= ends[tp] for tp in partitions)

        what = f"{sorted(until)} of {subject} on {topic}" if until is not None else f"the end of {topic}"
        await eventually(read, timeout=20, interval=0, message=what)
    finally:
        await consumer.stop()
    return found


def test_parcel_events_name_their_own_topic() -> None:
    assert {parcels.ParcelScanned.topic(), parcels.ParcelUnmatched.topic()} == {"returns.parcels"}
    assert returns.RefundApproved.topic() == "returns.events"
    assert topics_of("returns") == {"returns.events", "returns.parcels"}
    assert topics_of("finance") == {"finance.events"}


async def test_a_new_parcel_s_events_are_on_returns_parcels_only(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, kafka_bootstrap: str
) -> None:
    body = await ingest(client, tokens, [scan(clock, tracking_number())])
    parcel_id = body["accepted"][0]["parcel_id"]

    expected = {"ParcelScanned", "ParcelUnmatched"}
    assert await _subjects_on(kafka_bootstrap, "returns.parcels", parcel_id, until=expected) == expected
    # The relay sent both in the batch it claimed them in, so returns.events is complete for
    # them by now: it holds nothing about the parcel.
    assert await _subjects_on(kafka_bootstrap, "returns.events", parcel_id) == set()
