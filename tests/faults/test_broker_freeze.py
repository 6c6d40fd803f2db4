"""Scenario 4: the broker frozen (SIGSTOP) under HTTP write load.

Returns and finance run as processes against a Tansu of this test's own. Refunds stream in
at a steady rate; the broker is frozen for a while and thawed. No request may fail (the
write path touches only the database: the event waits in the outbox), ``/readyz`` of each
service must say the broker is down while it is frozen, refunds must keep committing while
it is frozen, and every refund must reach finance's ledger exactly once after SIGCONT.
"""

from __future__ import annotations

import asyncio
import secrets
import time

import httpx

from aftersales_chassis.testing import Tokens
from aftersales_devstack.pytest_plugin import ServiceDatabaseFactory

from .damage import (
    Outcomes,
    RefundFlow,
    http_client,
    ledger_counts,
    lost_and_doubled,
    percentile,
    private_broker,
    services,
    settle,
    unbalanced_transactions,
)
from .figures import Figure, record, seconds, size


async def test_frozen_broker_costs_no_write_and_no_event(
    service_database_url: ServiceDatabaseFactory, jwt_secret: str
) -> None:
    frozen_for = seconds(4.0, 30.0)
    count = size(120, 1500)
    run = secrets.token_hex(3)
    with (
        private_broker() as broker,
        services(
            ["returns", "finance"],
            databases=service_database_url,
            bootstrap=broker.bootstrap,
            jwt_secret=jwt_secret,
            tag="f4",
        ) as stack,
    ):
        async with http_client(30) as http:
            flow = RefundFlow(http, stack.url("returns"), Tokens(jwt_secret), run)
            rids = await flow.prepare(count)
            outcomes = Outcomes()
            refunded: list[str] = []
            during_freeze = 0
            frozen = asyncio.Event()
            thawed = asyncio.Event()
            readiness: list[tuple[str, int, bool]] = []  # while frozen: service, status, broker check

            # The load spans the freeze with a margin each side: a fixed rate over 2 x the freeze.
            interval = 2 * frozen_for / count

            async def refunder(items: list[tuple[int, str]]) -> None:
                nonlocal during_freeze
                for i, rid in items:
                    started = time.perf_counter()
                    try:
                        response = await flow.refund(rid, i)
                    except httpx.TimeoutException:
                        outcomes.errors.append("timeout")
                        continue
                    elapsed = time.perf_counter() - started
                    outcomes.add(response.status_code, elapsed)
                    if response.status_code == 200:
                        refunded.append(rid)
                        if frozen.is_set() and not thawed.is_set():
                            during_freeze += 1
                    else:
                        outcomes.errors.append(f"{response.status_code} {response.text[:200]}")
                    await asyncio.sleep(max(0.0, 4 * interval - elapsed))

            async def freezer() -> None:
                await asyncio.sleep(frozen_for / 2)
                broker.freeze()
                frozen.set()
                try:
                    deadline = time.monotonic() + frozen_for
                    while time.monotonic() < deadline - 2.5:  # a probe takes up to 2 s while frozen
                        for name, proc in stack.processes.items():
                            ready = await http.get(f"{proc.url}/readyz")
                            readiness.append((name, ready.status_code, bool(ready.json()["checks"]["broker"])))
                        await asyncio.sleep(0.5)
                    await asyncio.sleep(max(0.0, deadline - time.monotonic()))
                finally:
                    broker.thaw()
                    thawed.set()

            items = list(enumerate(rids))
            freezing = asyncio.create_task(freezer())
            await asyncio.gather(*(refunder(items[k::4]) for k in range(4)))
            await freezing

            finance_db = stack.databases["finance"]
            counts = await settle(lambda: ledger_counts(finance_db, refunded), timeout=size(90, 300))
            lost, doubled = lost_and_doubled(counts)
            unbalanced = await unbalanced_transactions(finance_db)
            ready_after = {
                name: (await http.get(f"{proc.url}/readyz")).status_code for name, proc in stack.processes.items()
            }
            reported_down = sum(1 for _, status, broker_ok in readiness if status == 503 and not broker_ok)
            record(
                Figure(
                    "4 broker frozen",
                    f"{count} refunds at a fixed rate over {2 * frozen_for:g}s; Tansu SIGSTOPped for {frozen_for:g}s",
                    sent=len(refunded),
                    lost=lost,
                    doubled=doubled,
                    errored=outcomes.server_errors,
                    extra={
                        "committed_while_frozen": during_freeze,
                        "readyz_broker_down": f"{reported_down}/{len(readiness)}",
                        "p50_ms": round(percentile(outcomes.latencies, 0.5) * 1000),
                        "p99_ms": round(percentile(outcomes.latencies, 0.99) * 1000),
                        "unbalanced": unbalanced,
                    },
                )
            )
            assert outcomes.server_errors == 0, outcomes.errors[:5]
            assert during_freeze > 0, "no write committed while the broker was frozen"
            assert readiness
            assert reported_down == len(readiness), readiness
            assert len(refunded) == count
            assert unbalanced == 0
            assert ready_after == {"returns": 200, "finance": 200}
