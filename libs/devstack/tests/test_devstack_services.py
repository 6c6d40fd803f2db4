from __future__ import annotations

import json
import signal
import urllib.request

import pytest

from aftersales_devstack._proc import port_in_use
from aftersales_devstack.broker import FETCH_MAX_WAIT_MS, RELAY_GATHER_MS
from aftersales_devstack.pytest_plugin import ServiceRunner
from aftersales_devstack.supervisor import _banner, env_exports


def test_run_service_answers_healthz_then_stops(run_service: ServiceRunner) -> None:
    with run_service("reviews") as svc:
        with urllib.request.urlopen(f"{svc.url}/readyz", timeout=5) as response:
            body = json.load(response)
        assert body["status"] == "ok", body
    # uvicorn re-raises the SIGTERM it handled once shutdown completed.
    assert svc.process.returncode in (0, -signal.SIGTERM)
    assert not port_in_use("127.0.0.1", svc.port)


def test_env_exports_point_every_service_at_the_given_servers(
    monkeypatch: object,
) -> None:

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("JWT_SECRET", "s3cret")
    lines = env_exports().splitlines()
    assert "export RETURNS_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/aftersales_returns" in lines
    assert "export FINANCE_KAFKA_BOOTSTRAP_SERVERS=kafka:9092" in lines
    assert "export TICKETS_JWT_SECRET=s3cret" in lines
    assert "export RETURNS_ENVIRONMENT=dev" in lines  # else the fake payment gateway is refused
    # Against the embedded Tansu a group join waits half the session timeout (broker.py).
    assert "export CALLCENTER_CONSUMER_SESSION_TIMEOUT_MS=3000" in lines
    # ... holds every fetch to its end (broker.FETCH_MAX_WAIT_MS) ...
    assert f"export REVIEWS_CONSUMER_FETCH_MAX_WAIT_MS={FETCH_MAX_WAIT_MS}" in lines
    # ... and lists every batch a partition holds on each fetch (broker.RELAY_GATHER_MS).
    assert f"export TICKETS_OUTBOX_RELAY_GATHER_MS={RELAY_GATHER_MS}" in lines
    assert len(lines) == 35


def test_banner_lists_urls_docs_and_how_to_mint_a_token() -> None:
    banner = _banner("127.0.0.1:9092", {"returns": "postgresql://u:pw@h/aftersales_returns"})
    assert "http://127.0.0.1:8004/docs" in banner
    assert "make token ROLE=agent" in banner
    assert "pw" not in banner


def test_a_service_under_test_keeps_a_small_pool_and_a_developers_the_default() -> None:
    from aftersales_devstack.services import TEST_POOL_SIZE, service_env

    common = {"database_url": "postgresql://h/db", "kafka_bootstrap": "k:9092", "jwt_secret": "s"}
    assert service_env("returns", environment="test", **common)["RETURNS_DB_POOL_SIZE"] == str(TEST_POOL_SIZE)
    assert "RETURNS_DB_POOL_SIZE" not in service_env("returns", environment="dev", **common)
    given = service_env("returns", environment="test", extra={"RETURNS_DB_POOL_SIZE": "50"}, **common)
    assert given["RETURNS_DB_POOL_SIZE"] == "50"
