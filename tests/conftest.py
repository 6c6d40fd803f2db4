"""The five services as real uvicorn processes, for the cross-service tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from aftersales_devstack.services import ServiceProcess, service_env
from aftersales_devstack.stack import migrate
from aftersales_devstack.urls import SERVICE_NAMES


@contextmanager
def _five_services(
    service_database_url: Callable[..., str], kafka_bootstrap: str, jwt_secret: str, suffix: str
) -> Iterator[dict[str, ServiceProcess]]:
    urls = {name: service_database_url(name, suffix=suffix, migrated=False) for name in SERVICE_NAMES}
    migrate(urls)
    processes: dict[str, ServiceProcess] = {}
    try:
        for name, url in urls.items():
            env = service_env(
                name, database_url=url, kafka_bootstrap=kafka_bootstrap, jwt_secret=jwt_secret, environment="test"
            )
            processes[name] = ServiceProcess(name, env)
        for process in processes.values():
            process.wait_healthy(180)
        yield processes
    finally:
        for process in processes.values():
            process.stop()


@pytest.fixture(scope="module")
def stack(
    service_database_url: Callable[..., str], kafka_bootstrap: str, jwt_secret: str
) -> Iterator[dict[str, ServiceProcess]]:
    """All five services, migrated and started side by side, for the end-to-end flows."""
    with _five_services(service_database_url, kafka_bootstrap, jwt_secret, "e2e") as processes:
        yield processes


@pytest.fixture(scope="module")
def fuzzed_stack(
    service_database_url: Callable[..., str], kafka_bootstrap: str, jwt_secret: str
) -> Iterator[dict[str, ServiceProcess]]:
    """All five services on databases of their own: generated requests leave data behind
    that the end-to-end flows must not see."""
    with _five_services(service_database_url, kafka_bootstrap, jwt_secret, "fuzz") as processes:
        yield processes
