"""Scenario 5: PostgreSQL restarted under load.

Returns and finance run as processes on a PostgreSQL server of this test's own (the
machine's server serves other tests) and a broker of its own. Refunds and reads stream in;
a third of the way through, the server is stopped fast (sessions cut, as in a failover)
and started again on the same data a moment later. While it is down every request must be
answered quickly with 503 problem+json and ``Retry-After`` (counted as refused), never a
500 or a hang; a refused refund is retried after the time it was told. The services are
not restarted: the same processes answer ``/readyz`` 200 afterwards. No half-written
state: each refunded return has exactly one ``RefundApproved`` in returns' outbox and one
ledger transaction in finance, and every return not refunded has neither.
"""

from __future__ import annotations

import asyncio
import secrets
import time

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_devstack.urls import libpq_url

from .damage import (
    Outcomes,
    RefundFlow,
    http_client,
    ledger_counts,
    lost_and_doubled,
    percentile,
    private_broker,
    private_postgres,
    services,
    settle,
    unbalanced_transactions,
)
from .figures import Figure, record, seconds, size

HANG = 10.0  # a request still unanswered after this long counts as a hang


async def _returns_state(db: str, rids: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    conn = await asyncpg.connect(libpq_url(db), timeout=30)
    try:
        states = {
            str(r["id"]): str(r["state"])
            for r in await conn.fetch("SELECT id::text AS id, state FROM returns WHERE id::text = ANY($1)", rids)
        }
        events = {
            str(r["k"]): int(r["n"])
            for r in await conn.fetch(
                "SELECT message_key AS k, count(*) AS n FROM outbox"
                " WHERE event_type LIKE '%RefundApproved%' AND message_key = ANY($1) GROUP BY 1",
                rids,
            )
        }
    finally:
        await conn.close()
    return states, events


async def test_postgres_restart_answers_503_with_retry_after_and_loses_nothing(jwt_secret: str) -> None:
    count = size(90, 1500)
    down_for = seconds(2.0, 10.0)
    run = secrets.token_hex(3)
    with (
        private_postgres() as pg,
        private_broker() as broker,
        services(
            ["returns", "finance"], server_url=pg.url, bootstrap=broker.bootstrap, jwt_secret=jwt_secret, tag="f5"
        ) as stack,
    ):
        pids = {name: proc.process.pid for name, proc in stack.processes.items()}
        tokens = Tokens(jwt_secret)
        async with http_client(HANG) as http:
            flow = RefundFlow(http, stack.url("returns"), tokens, run)
            rids = await flow.prepare(count)
            outcomes = Outcomes()
            refunded: set[str] = set()
            after_commit: set[str] = set()  # refunded by a try whose answer was lost in the outage
            refused = 0
            unexpected: list[str] = []
            done = asyncio.Event()

            def judge(response: httpx.Response) -> bool:
                """True when the request should be tried again (a 503 with Retry-After)."""
                nonlocal refused
                if response.status_code == 503:
                    problem = response.headers.get("content-type") == "application/problem+json"
                    if problem and response.headers.get("retry-after", "").isdigit():
                        refused += 1
                        return True
                if response.status_code >= 500:
                    unexpected.append(f"{response.status_code} {response.headers} {response.text[:200]}")
                return False

            async def refunder(items: list[tuple[int, str]]) -> None:
                for i, rid in items:
                    tries = 0
                    while True:
                        tries += 1
                        if tries > 60:  # a minute of answers that say "retry": not recovered
                            unexpected.append(f"refund of {rid} still refused after {tries - 1} tries")
                            break
                        started = time.perf_counter()
                        try:
                            response = await flow.refund(rid, i)
                        except httpx.TimeoutException:
                            unexpected.append(f"hang > {HANG}s on refund")
                            continue
                        except httpx.TransportError as error:  # the connection dropped unanswered
                            unexpected.append(f"refund: {error!r}")
                            continue
                        outcomes.add(response.status_code, time.perf_counter() - started)
                        if judge(response):
                            await asyncio.sleep(float(response.headers["retry-after"]))
                            continue
                        if response.status_code == 200:
                            refunded.add(rid)
                        elif response.status_code == 409 and tries > 1:
                            after_commit.add(rid)  # the earlier try committed before the cut
                            refunded.add(rid)
                        else:
                            unexpected.append(f"refund {response.status_code} {response.text[:200]}")
                        break
                    await asyncio.sleep(0.02)

            async def reader() -> None:
                k = 0
                while not done.is_set():
                    started = time.perf_counter()
                    try:
                        response = await http.get(
                            f"{stack.url('returns')}/returns/{rids[k % len(rids)]}", headers=tokens.headers(Role.agent)
                        )
                    except httpx.TimeoutException:
                        unexpected.append(f"hang > {HANG}s on read")
                        continue
                    except httpx.TransportError as error:
                        unexpected.append(f"read: {error!r}")
                        continue
                    outcomes.add(response.status_code, time.perf_counter() - started)
                    if not judge(response) and response.status_code != 200:
                        unexpected.append(f"read {response.status_code}")
                    k += 1
                    await asyncio.sleep(0.02)

            async def restart() -> None:
                await asyncio.sleep(0.3 * count / 40)
                await asyncio.to_thread(pg.stop)
                await asyncio.sleep(down_for)
                await asyncio.to_thread(pg.start)

            items = list(enumerate(rids))
            readers = [asyncio.create_task(reader()) for _ in range(2)]
            restarting = asyncio.create_task(restart())
            await asyncio.gather(*(refunder(items[k::4]) for k in range(4)))
            await restarting
            done.set()
            await asyncio.gather(*readers)

            finance_db, returns_db = stack.databases["finance"], stack.databases["returns"]
            counts = await settle(lambda: ledger_counts(finance_db, sorted(refunded)), timeout=size(90, 300))
            lost, doubled = lost_and_doubled(counts)
            states, events = await _returns_state(returns_db, rids)
            half_written = sum(
                1
                for rid in rids
                if (states.get(rid) == "refunded") != (rid in refunded) or events.get(rid, 0) != (rid in refunded)
            )
            ledger_strays = sum(n for rid, n in (await ledger_counts(finance_db, rids)).items() if rid not in refunded)
            unbalanced = await unbalanced_transactions(finance_db)
            ready = {name: (await http.get(f"{proc.url}/readyz")).status_code for name, proc in stack.processes.items()}
            same_processes = all(stack.processes[name].process.pid == pid for name, pid in pids.items()) and all(
                proc.running for proc in stack.processes.values()
            )
            record(
                Figure(
                    "5 PostgreSQL restarted",
                    f"{count} refunds and reads on returns/finance; PostgreSQL stopped fast, down {down_for:g}s, "
                    "started again; 503s retried after Retry-After",
                    sent=len(refunded),
                    lost=lost,
                    doubled=doubled,
                    refused=refused,
                    errored=len(unexpected),
                    extra={
                        "half_written": half_written + ledger_strays,
                        "committed_before_cut": len(after_commit),
                        "max_ms": round(max(outcomes.latencies) * 1000),
                        "p99_ms": round(percentile(outcomes.latencies, 0.99) * 1000),
                        "restarted_services": 0 if same_processes else 1,
                    },
                )
            )
            assert unexpected == [], unexpected[:5]
            assert refused > 0, "the outage was not seen: no request met it"
            assert len(refunded) == count
            assert half_written == 0
            assert ledger_strays == 0
            assert unbalanced == 0
            assert same_processes
            assert ready == {"returns": 200, "finance": 200}
