"""Scenario 11: soak. Mixed traffic at a fixed rate across the five services.

Requests are scheduled open-loop (request k at start + k / rate, whatever the answers
before it took), cycling through writes and reads of all five services: an order fact
(returns), a complaint (tickets), an outreach callback (callcenter), a ledger transaction
(finance), and lists of returns, complaints, review cases, callbacks and ledger
transactions. The five run as processes on a broker of the test's own. Figures: p50/p99
latency, errors (anything but the expected status, or no answer), each process's memory
growth from after a warm-up to the end. Every write that was answered as created is read
back afterwards: one missing is lost.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import psutil

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_devstack.pytest_plugin import ServiceDatabaseFactory
from aftersales_devstack.services import ServiceProcess
from aftersales_devstack.urls import SERVICE_NAMES

from .damage import http_client, percentile, private_broker, services
from .figures import Figure, record, seconds

RATE = 20.0  # requests per second, the five services together
FIRST_USE = 3.0
"""Seconds of traffic in which every path runs for the first time (imports, pools)."""
WARMUP = seconds(FIRST_USE, 60.0)
"""Seconds of traffic before the measured run. A service's memory grows for about its first
two minutes of traffic, then holds: at 20/s against `make run`'s five services, tickets went
114.7 → 126.8 MB in 2 minutes, then 127.7 MB at 5 and 128.6 MB at 16 minutes; the others
alike. Measured from the third second, the steady state's growth was hidden under caches
filling (9.0% in the full run of session 15). Growth after a minute of warm-up is what a leak
would show; the growth from the third second is still reported."""


def _rss(process: ServiceProcess) -> int:
    return int(psutil.Process(process.process.pid).memory_info().rss)


async def test_soak_mixed_traffic(service_database_url: ServiceDatabaseFactory, jwt_secret: str) -> None:
    with (
        private_broker() as broker,
        services(
            SERVICE_NAMES, databases=service_database_url, bootstrap=broker.bootstrap, jwt_secret=jwt_secret, tag="f11"
        ) as running,
    ):
        await _soak(running.processes, jwt_secret)


async def _soak(stack: dict[str, ServiceProcess], jwt_secret: str) -> None:
    duration = seconds(10.0, 300.0)
    tokens = Tokens(jwt_secret)
    run = uuid.uuid4().hex[:6]
    url = {name: proc.url for name, proc in stack.items()}
    agent, service = tokens.headers(Role.agent, subject="soak"), tokens.headers(Role.service, subject="soak")
    finance = tokens.headers(Role.finance, subject="soak")
    created: list[tuple[str, str]] = []  # (url to read it back, id)
    latencies: list[float] = []
    errors: list[str] = []
    retried: list[str] = []

    def writes(k: int) -> list[tuple[str, str, dict[str, str], Any, int, str | None]]:
        order = f"SOAK-{run}-{k}"
        now = datetime.now(UTC).isoformat()
        return [
            ("POST", f"{url['returns']}/order-facts", service,
             {"kind": "placed", "shop_event_id": f"{order}-placed", "order_id": order, "customer_id": f"C-{k}",
              "occurred_at": "2026-11-20T10:00:00+08:00", "merchant_id": "M-001",
              "lines": [{"sku": "SKU-TEA", "quantity": 1, "unit_price_minor": 6450}]}, 200, None),
            ("POST", f"{url['tickets']}/complaints", agent,
             {"channel": "phone", "sender": {"customer_id": f"C-{k}"}, "body": "Soak: where is my parcel?"},
             201, f"{url['tickets']}/complaints"),
            ("POST", f"{url['callcenter']}/callbacks", service,
             {"kind": "outreach", "source": f"soak:{run}:{k}", "phone": f"139{k:08d}", "customer_id": f"C-{k}"},
             201, f"{url['callcenter']}/callbacks"),
            ("POST", f"{url['finance']}/ledger/transactions", finance,
             {"reference": f"soak-{run}-{k}", "description": "soak", "effective_at": now,
              "legs": [{"account_code": "cash", "amount_minor": 100}, {"account_code": "sales", "amount_minor": -100}]},
             201, f"{url['finance']}/ledger/transactions"),
        ]  # fmt: skip

    reads: list[tuple[str, str, dict[str, str], Any, int, str | None]] = [
        ("GET", f"{url['returns']}/returns?limit=20", agent, None, 200, None),
        ("GET", f"{url['tickets']}/complaints?limit=20", agent, None, 200, None),
        ("GET", f"{url['reviews']}/cases?limit=20", agent, None, 200, None),
        ("GET", f"{url['callcenter']}/callbacks?limit=20", agent, None, 200, None),
        ("GET", f"{url['finance']}/ledger/transactions?account=cash&limit=20", finance, None, 200, None),
    ]

    def request(k: int) -> tuple[str, str, dict[str, str], Any, int, str | None]:
        mix = writes(k) + reads
        return mix[k % len(mix)]

    async with http_client(30, connections=50) as http:

        async def one(k: int, measure: bool) -> None:
            method, target, headers, body, expected, readback = request(k)
            started = time.perf_counter()
            try:
                try:
                    response = await http.request(method, target, json=body, headers=headers)
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    if method != "GET":
                        raise
                    # A keep-alive connection closed under a read before any answer: an
                    # idempotent request is retried once, as clients do (RFC 9110 9.2.2);
                    # counted. A write is never retried: it counts as an error.
                    retried.append(target)
                    response = await http.request(method, target, json=body, headers=headers)
            except httpx.HTTPError as error:
                errors.append(f"{method} {target}: {error!r}")
                return
            if measure:
                latencies.append(time.perf_counter() - started)
            if response.status_code != expected:
                errors.append(f"{method} {target}: {response.status_code} {response.text[:200]}")
            elif readback is not None:
                created.append((readback, str(response.json()["id"])))

        async def traffic(first: int, length: float, measure: bool) -> int:
            start = time.perf_counter()
            tasks = []
            k = first
            while (due := start + (k - first) / RATE) < start + length:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                tasks.append(asyncio.create_task(one(k, measure)))
                k += 1
            await asyncio.gather(*tasks)
            return k

        sent = await traffic(0, FIRST_USE, measure=False)  # imports and pools
        first_used = {name: _rss(proc) for name, proc in stack.items()}
        sent = await traffic(sent, WARMUP - FIRST_USE, measure=False)  # caches fill
        before = {name: _rss(proc) for name, proc in stack.items()}
        started = time.perf_counter()
        end = await traffic(sent, duration, measure=True)
        elapsed = time.perf_counter() - started
        after = {name: _rss(proc) for name, proc in stack.items()}

        lost = 0
        for target, ident in created:
            got = await http.get(f"{target}/{ident}", headers=finance if "ledger" in target else agent)
            lost += got.status_code != 200

    growth = {name: (after[name] - before[name]) / before[name] * 100 for name in stack}
    since_first_use = {name: (after[name] - first_used[name]) / first_used[name] * 100 for name in stack}
    record(
        Figure(
            "11 soak",
            f"{end - sent} requests at {RATE:g}/s for {duration:g}s across the five services (4 writes, 5 reads)",
            sent=end - sent,
            lost=lost,
            errored=len(errors),
            extra={
                "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
                "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
                "achieved_rps": round((end - sent) / elapsed, 1),
                "reads_retried_on_closed_connection": len(retried),
                "warmup_s": WARMUP,
                "max_memory_growth_pct": round(max(growth.values()), 1),
                "max_memory_growth_since_first_use_pct": round(max(since_first_use.values()), 1),
                **{f"rss_{name}_mb": round(after[name] / 2**20) for name in stack},
            },
        )
    )
    assert errors == [], errors[:5]
    assert all(g < 10 for g in growth.values()), growth
