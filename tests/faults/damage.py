"""What the damage scenarios (3, 4, 5, 11) share: servers a test owns and may hurt, the
services started on them as processes, and the refund flow whose effect is counted.

A broker or PostgreSQL server that a scenario restarts, freezes or kills is its own
(:class:`PrivateBroker`, :class:`PrivatePostgres`): the session's broker and the machine's
PostgreSQL serve other tests at the same time and must not feel it.

The flow counted is T1A2 → T1A3 → T1A5 in returns (prepared), then T2A ``/refund`` (the
request that records ``RefundApproved``); finance books one ledger transaction for it. What
was sent is the set of return ids whose refund returned 200; what arrived is read from
finance's database, so a loss or a doubling is a row count, not a belief.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_devstack._embedded import PostgresServer
from aftersales_devstack._proc import free_port
from aftersales_devstack.broker import Broker
from aftersales_devstack.postgres import EmbeddedPostgres, drop_databases, ensure_databases
from aftersales_devstack.pytest_plugin import ServiceDatabaseFactory
from aftersales_devstack.services import ServiceProcess, service_env, stop_services
from aftersales_devstack.stack import migrate
from aftersales_devstack.urls import libpq_url, with_database

START_TIMEOUT = 240.0
"""Seconds a service may take to answer /healthz: on a machine shared by many test runs,
five services importing at once took over a minute."""


class PrivateBroker:
    """A Tansu of the test's own on a fixed port (the services keep their bootstrap across a
    restart): restart it (it is memory-only, so it comes back empty), freeze and thaw it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.restarts = 0
        self._broker: Broker | None = Broker(self.port, log_path=workdir / "tansu.log")

    @property
    def pid(self) -> int:
        assert self._broker is not None
        return int(self._broker.process.pid)

    def restart(self) -> None:
        """Stops the broker (its log is gone with it) and starts an empty one on the same port."""
        self.stop()
        deadline = time.monotonic() + 30
        while True:
            try:
                self._broker = Broker(self.port, log_path=self.workdir / "tansu.log")
                break
            except RuntimeError:  # the port not yet free
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.restarts += 1

    def freeze(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self._broker is not None:
            with suppress(ProcessLookupError):  # a frozen broker cannot take its SIGTERM
                os.kill(self.pid, signal.SIGCONT)
            self._broker.stop()
            self._broker = None


@contextmanager
def private_broker() -> Iterator[PrivateBroker]:
    workdir = Path(tempfile.mkdtemp(prefix="aftersales-faults-tansu-"))
    broker = PrivateBroker(workdir)
    try:
        yield broker
    finally:
        broker.stop()
        shutil.rmtree(workdir, ignore_errors=True)


class PrivatePostgres:
    """An embedded PostgreSQL of the test's own; ``restart`` stops it fast (open connections
    are cut, as in a failover) and starts it again on the same data."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.server: EmbeddedPostgres | None = EmbeddedPostgres(workdir / "data")
        self.url = self.server.url

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def start(self) -> None:
        assert self.server is None
        # The wheel keeps one handle per pgdata and hands the stopped one back: drop it, so
        # the server is started again.
        PostgresServer._instances.pop((self.workdir / "data").resolve(), None)
        self.server = EmbeddedPostgres(self.workdir / "data")
        assert self.server.url == self.url, (self.server.url, self.url)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    workdir = Path(tempfile.mkdtemp(prefix="aftersales-faults-pg-"))
    server = PrivatePostgres(workdir)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class Stack:
    """Services as processes, and the database URL each one uses."""

    processes: dict[str, ServiceProcess]
    databases: dict[str, str]
    logs: Path

    def freeze(self, name: str) -> None:
        os.kill(self.processes[name].process.pid, signal.SIGSTOP)

    def thaw(self, name: str) -> None:
        os.kill(self.processes[name].process.pid, signal.SIGCONT)

    def url(self, name: str) -> str:
        return self.processes[name].url


@contextmanager
def services(
    names: Sequence[str],
    *,
    server_url: str | None = None,
    databases: ServiceDatabaseFactory | None = None,
    bootstrap: str,
    jwt_secret: str,
    tag: str,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Stack]:
    """``names`` started against ``bootstrap`` on fresh databases, stopped afterwards.

    The databases are the session's copies of its migrated templates (``databases``, the
    ``service_database_url`` fixture: a fraction of a second each, dropped with the session),
    or, on a server of the test's own (``server_url``), ``<tag>_<hex>_<name>`` created,
    migrated, and dropped afterwards."""
    assert (server_url is None) != (databases is None), "either the session's databases or a server"
    suffix = f"{tag}_{secrets.token_hex(3)}"
    urls: dict[str, str] = {}
    own: list[str] = []
    processes: dict[str, ServiceProcess] = {}
    logs = Path(os.environ.get("FAULTS_LOGS", ".data/faults/logs")) / suffix
    logs.mkdir(parents=True, exist_ok=True)
    try:
        if databases is not None:
            urls = {name: databases(name, suffix=suffix) for name in names}
        else:
            assert server_url is not None
            own = [f"{suffix}_{name}" for name in names]
            ensure_databases(server_url, own)
            urls = {name: with_database(server_url, database) for name, database in zip(names, own, strict=True)}
            migrate(urls)
        for name in names:
            env = service_env(
                name,
                database_url=urls[name],
                kafka_bootstrap=bootstrap,
                jwt_secret=jwt_secret,
                environment="test",
                extra=extra_env,
            )
            with (logs / f"{name}.log").open("ab") as out:
                processes[name] = ServiceProcess(name, env, stdout=out, stderr=out)
        for process in processes.values():
            process.wait_healthy(START_TIMEOUT)
        yield Stack(processes, urls, logs)
    finally:
        for process in processes.values():
            with suppress(ProcessLookupError):
                os.kill(process.process.pid, signal.SIGCONT)
        stop_services(processes.values())
        if own and server_url is not None:
            with suppress(OSError, asyncpg.PostgresError):  # a private server is removed anyway
                drop_databases(server_url, own)


@dataclass
class Outcomes:
    """What HTTP answered under damage: status → count, and the worst latency seen."""

    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def add(self, status: int, seconds: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(seconds)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500) + len(self.errors)


def http_client(timeout: float, connections: int = 20) -> httpx.AsyncClient:
    """A client whose idle connections are dropped (2 s) before uvicorn drops them (5 s):
    reusing one the server has just closed is a ReadError that no service caused."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=2)
    return httpx.AsyncClient(timeout=timeout, limits=limits)


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class RefundFlow:
    """Returns made ready for a refund over HTTP, refunded, and counted in finance's ledger."""

    def __init__(self, http: httpx.AsyncClient, returns_url: str, tokens: Tokens, run: str) -> None:
        self.http = http
        self.returns = returns_url
        self.tokens = tokens
        self.run = run

    def _order(self, i: int) -> str:
        return f"F-{self.run}-{i}"

    async def _post(self, path: str, body: Any, role: Role, expect: int, **headers: str) -> httpx.Response:
        response = await self.http.post(
            f"{self.returns}{path}", json=body, headers={**self.tokens.headers(role), **headers}
        )
        assert response.status_code == expect, (path, response.status_code, response.text[:300])
        return response

    async def prepare_one(self, i: int) -> str:
        """An order placed, paid and shipped; its return filed, approved and received (T1A5)."""
        order = self._order(i)
        facts = [
            {"kind": "placed", "shop_event_id": f"{order}-placed", "order_id": order, "customer_id": f"C-{i}",
             "occurred_at": "2026-11-20T10:00:00+08:00", "merchant_id": "M-001",
             "lines": [{"sku": "SKU-TEA", "quantity": 1, "unit_price_minor": 1000 + i % 97}]},
            {"kind": "paid", "shop_event_id": f"{order}-paid", "order_id": order, "paid_minor": 1000 + i % 97,
             "occurred_at": "2026-11-20T10:01:00+08:00"},
            {"kind": "shipped", "shop_event_id": f"{order}-shipped", "order_id": order, "courier": "SF",
             "tracking_number": f"SF{self.run}{i}", "occurred_at": "2026-11-21T09:00:00+08:00"},
        ]  # fmt: skip
        for fact in facts:
            await self._post("/order-facts", fact, Role.service, 200)
        created = await self._post(
            "/returns",
            {"order_id": order, "reason": "damaged",
             "lines": [{"sku": "SKU-TEA", "quantity": 1, "reason": "damaged_in_transit"}],
             "requested_refund_minor": 1000 + i % 97},
            Role.agent, 201, **{"Idempotency-Key": f"{order}-open"},
        )  # fmt: skip
        rid = str(created.json()["id"])
        await self._post(f"/returns/{rid}/approve", {}, Role.supervisor, 200)
        await self._post(f"/returns/{rid}/receipt", {}, Role.warehouse, 200)
        return rid

    async def prepare(self, count: int, *, concurrency: int = 8, start: int = 0) -> list[str]:
        ids: list[str] = [""] * count
        queue = iter(range(count))

        async def worker() -> None:
            for k in queue:
                ids[k] = await self.prepare_one(start + k)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return ids

    def amount(self, i: int) -> int:
        return 1000 + i % 97

    async def refund(self, rid: str, i: int) -> httpx.Response:
        """T2A: the request whose commit records ``RefundApproved`` in the outbox."""
        return await self.http.post(
            f"{self.returns}/returns/{rid}/refund",
            json={"amount_minor": self.amount(i)},
            headers=self.tokens.headers(Role.supervisor),
        )


async def ledger_counts(finance_db: str, return_ids: Sequence[str]) -> dict[str, int]:
    """Return id → finance's ledger transactions for its refund (exactly one is right)."""
    conn = await asyncpg.connect(libpq_url(finance_db), timeout=30)
    try:
        rows = await conn.fetch(
            "SELECT details->>'return_id' AS rid, count(*) AS n FROM ledger_transactions"
            " WHERE details->>'return_id' = ANY($1::text[]) GROUP BY 1",
            list(return_ids),
        )
    finally:
        await conn.close()
    found = {str(row["rid"]): int(row["n"]) for row in rows}
    return {rid: found.get(rid, 0) for rid in return_ids}


async def unbalanced_transactions(finance_db: str) -> int:
    conn = await asyncpg.connect(libpq_url(finance_db), timeout=30)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM (SELECT transaction_id FROM postings GROUP BY transaction_id"
                " HAVING sum(amount_minor) <> 0) AS t"
            )
        )
    finally:
        await conn.close()


def lost_and_doubled(counts: Mapping[str, int]) -> tuple[int, int]:
    lost = sum(1 for n in counts.values() if n == 0)
    doubled = sum(n - 1 for n in counts.values() if n > 1)
    return lost, doubled


async def settle(
    probe: Callable[[], Awaitable[Mapping[str, int]]], *, timeout: float, quiet: float = 2.0
) -> Mapping[str, int]:
    """Polls ``probe`` until every id has arrived (then waits ``quiet`` more seconds, so a late
    duplicate shows) or ``timeout`` passes; returns the last counts, complete or not."""
    deadline = time.monotonic() + timeout
    counts = await probe()
    while time.monotonic() < deadline and any(n == 0 for n in counts.values()):
        await asyncio.sleep(0.5)
        counts = await probe()
    await asyncio.sleep(quiet)
    return await probe()
