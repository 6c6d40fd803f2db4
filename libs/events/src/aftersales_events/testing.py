"""Helpers for tests of event consumers: an envelope as the relay publishes it, and the broker
record a consumer receives, so a test can drive ``ConsumerRunner.process(record)`` one message
at a time without a broker round trip.

Test support only: no production module imports it (a fitness test in ``tests/fitness`` checks).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord

from .catalogue import CATALOGUE, EventPayload
from .envelope import EventEnvelope

_offsets = itertools.count(1)


def wrap(payload: EventPayload, subject: str = "s", *, at: datetime | None = None) -> EventEnvelope:
    """``payload`` in a fresh envelope (new id), stamped ``at`` (default: now)."""
    return EventEnvelope.wrap(payload, subject=subject, time=at or datetime.now(UTC))


def consumer_record(envelope: EventEnvelope, *, partition: int = 0) -> ConsumerRecord[bytes, bytes]:
    """A broker record carrying ``envelope`` on its type's topic, keyed by its subject, as the
    consumer would receive it (offsets increase across the process)."""
    return ConsumerRecord(
        topic=CATALOGUE[envelope.type].topic(),
        partition=partition,
        offset=next(_offsets),
        timestamp=0,
        timestamp_type=0,
        key=envelope.subject.encode(),
        value=envelope.to_bytes(),
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=(),
    )


def envelope_fields(record: ConsumerRecord[Any, bytes]) -> dict[str, Any]:
    """A record's envelope as a JSON object, or ``{}`` when its value is not one (empty, not
    JSON, or JSON of another shape): a test reading a shared topic from its start skips what
    other tests put there (the fault suite's poison messages among them) instead of failing."""
    try:
        found = json.loads(record.value or b"{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


async def dlq_command(*args: str, timeout: float = 120.0) -> str:
    """``python -m aftersales_events.dlq ...`` as an operator runs it; its stdout (it must
    exit 0 within ``timeout`` seconds)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aftersales_events.dlq", *args, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode == 0, out
    return out.decode()
