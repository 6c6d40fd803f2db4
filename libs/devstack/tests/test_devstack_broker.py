from __future__ import annotations

import socket

from aiokafka.admin import AIOKafkaAdminClient

from aftersales_devstack._proc import port_in_use
from aftersales_devstack.broker import Broker


def test_kafka_bootstrap_accepts_tcp_connections(kafka_bootstrap: str) -> None:
    host, port = kafka_bootstrap.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5):
        pass


async def test_kafka_bootstrap_speaks_the_kafka_protocol(kafka_bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        topics = await admin.list_topics()
    finally:
        await admin.close()
    assert isinstance(topics, list)


def test_broker_starts_on_a_free_port_and_releases_it() -> None:
    with Broker() as broker:
        assert port_in_use("127.0.0.1", broker.port)
        assert broker.process.poll() is None
    assert broker.process.returncode is not None
    assert not port_in_use("127.0.0.1", broker.port)
