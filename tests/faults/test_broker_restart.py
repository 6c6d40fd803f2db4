"""Scenario 3: the embedded broker restarted, losing its log, while refunds are in flight.

Returns and finance run as processes against a Tansu of this test's own. Refunds (T2A,
each recording ``RefundApproved``) stream in; a third of the way through the broker is
stopped and an empty one started on the same port. Events already published (and perhaps
not yet consumed) are gone from the broker; events committed while it is down wait in the
outbox. Everything must still reach finance's ledger exactly once: the relay notices the
lost log, republishes the retained outbox rows in order, and finance's consumer, rewound,
drops what it had already applied.
"""

from __future__ import annotations

import asyncio
import secrets
import time

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.pytest_plugin import ServiceDatabaseFactory
from aftersales_devstack.urls import libpq_url

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
from .figures import Figure, record, size


async def _published_at_least(db: str, n: int) -> bool:
    return await _published(db) >= n


async def _published(db: str) -> int:
    conn = await asyncpg.connect(libpq_url(db))
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL AND event_type LIKE '%RefundApproved%'"
            )
        )
    finally:
        await conn.close()


async def test_broker_restart_loses_its_log_and_nothing_is_lost(
    service_database_url: ServiceDatabaseFactory, jwt_secret: str
) -> None:
    count = size(60, 2000)
    run = secrets.token_hex(3)
    with (
        private_broker() as broker,
        services(
            ["returns", "finance"],
            databases=service_database_url,
            bootstrap=broker.bootstrap,
            jwt_secret=jwt_secret,
            tag="f3",
        ) as stack,
    ):
        returns_db, finance_db = stack.databases["returns"], stack.databases["finance"]
        async with http_client(60) as http:
            flow = RefundFlow(http, stack.url("returns"), Tokens(jwt_secret), run)
            rids = await flow.prepare(count)
            outcomes = Outcomes()
            refunded: list[str] = []

            async def refund_all(items: list[tuple[int, str]], workers: int = 4) -> None:
                async def refunder(mine: list[tuple[int, str]]) -> None:
                    for i, rid in mine:
                        started = time.perf_counter()
                        response = await flow.refund(rid, i)
                        outcomes.add(response.status_code, time.perf_counter() - started)
                        if response.status_code == 200:
                            refunded.append(rid)
                        else:
                            outcomes.errors.append(f"{response.status_code} {response.text[:200]}")

                await asyncio.gather(*(refunder(items[k::workers]) for k in range(workers)))

            items = list(enumerate(rids))
            third = count // 3
            # 1. Finance frozen: the first third is published to the broker and not applied.
            stack.freeze("finance")
            try:
                await refund_all(items[:third])
                await eventually(
                    lambda: _published_at_least(returns_db, third),
                    timeout=60,
                    message="the first third published",
                )
                # 2. The broker restarts empty while the second third is being refunded.
                during = asyncio.create_task(refund_all(items[third : 2 * third]))
                await asyncio.sleep(0.2)
                await asyncio.to_thread(broker.restart)
                await during
            finally:
                stack.thaw("finance")
            # 3. The last third after the restart.
            await refund_all(items[2 * third :])

            counts = await settle(lambda: ledger_counts(finance_db, refunded), timeout=size(150, 300))
            lost, doubled = lost_and_doubled(counts)
            unbalanced = await unbalanced_transactions(finance_db)
            ready = {name: (await http.get(f"{proc.url}/readyz")).status_code for name, proc in stack.processes.items()}
            record(
                Figure(
                    "3 broker restarted, log lost",
                    f"{count} refunds (RefundApproved → finance ledger): {third} published while finance was "
                    f"frozen, then Tansu restarted empty during the next {third}",
                    sent=len(refunded),
                    lost=lost,
                    doubled=doubled,
                    errored=outcomes.server_errors,
                    extra={
                        "unbalanced": unbalanced,
                        "refund_p99_ms": round(percentile(outcomes.latencies, 0.99) * 1000),
                    },
                )
            )
            assert outcomes.server_errors == 0, outcomes.errors[:5]
            assert len(refunded) == count
            assert unbalanced == 0
            assert ready == {"returns": 200, "finance": 200}
