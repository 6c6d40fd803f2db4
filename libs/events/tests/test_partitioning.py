"""The relay's partition choice is exactly the default partitioner's (aiokafka, the Java client)."""

from __future__ import annotations

import random
import uuid

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as reference_murmur2

from aftersales_events.partitioning import murmur2, partition_for

_random = random.Random(20261123)
KEYS = [
    *(bytes(_random.getrandbits(8) for _ in range(length)) for length in range(0, 80)),
    *(str(uuid.UUID(int=_random.getrandbits(128))).encode() for _ in range(500)),
    "订单-20261123-退货".encode(),
    b"\xff" * 13,
]


def test_murmur2_equals_the_reference_on_every_length_and_byte() -> None:
    assert [murmur2(key) for key in KEYS] == [reference_murmur2(key) for key in KEYS]


@pytest.mark.parametrize("count", [1, 2, 3, 7, 12])
def test_partition_for_equals_the_default_partitioner(count: int) -> None:
    partitions = list(range(count))
    default = DefaultPartitioner()
    assert [partition_for(key, partitions) for key in KEYS] == [default(key, partitions, partitions) for key in KEYS]
