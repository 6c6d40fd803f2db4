"""The five services as real uvicorn processes, for the cross-service tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from aftersales_devstack.pytest_plugin import ServiceDatabaseFactory
from aftersales_devstack.services import ServiceProcess, service_env, stop_services
from aftersales_devstack.urls import SERVICE_NAMES, service


@contextmanager
def _five_services(
    service_database_url: ServiceDatabaseFactory, kafka_bootstrap: str, jwt_secret: str, suffix: str, run_id: str
) -> Iterator[dict[str, ServiceProcess]]:
    """The five services on databases of their own (``suffix``) and consumer groups of their
    own (``<service>-<suffix>-<run>``): no other process reads a partition of theirs."""
    processes: dict[str, ServiceProcess] = {}
    try:
        for name in SERVICE_NAMES:
            env = service_env(
                name,
                database_url=service_database_url(name, suffix=suffix),
                kafka_bootstrap=kafka_bootstrap,
                jwt_secret=jwt_secret,
                environment="test",
                extra={f"{service(name).env_prefix}CONSUMER_GROUP": f"{name}-{suffix}-{run_id}"},
            )
            processes[name] = ServiceProcess(name, env)
        for process in processes.values():
            process.wait_healthy(180)
        yield processes
    finally:
        stop_services(processes.values())


@pytest.fixture(scope="session")
def stack(
    service_database_url: ServiceDatabaseFactory, kafka_bootstrap: str, jwt_secret: str, test_run_id: str
) -> Iterator[dict[str, ServiceProcess]]:
    """All five services, migrated and started side by side, for the end-to-end flows.

    One stack for the whole session (five processes started once, not once per test file):
    the flows share its databases, so each makes its own orders, ids and keys and looks only
    at what it made.
    """
    with _five_services(service_database_url, kafka_bootstrap, jwt_secret, "e2e", test_run_id) as processes:
        yield processes
