"""Complaint intake (§4): channel gateways posting complaints through the real HTTP app, beside
a raw asyncpg insert of the same rows.

The app runs as in production: ``uvicorn tickets_service.main:app`` in its own process on a real
socket (relay publishing to the broker, SLA scheduler on), log level WARNING. Each complaint is a
new WeChat message from a known customer about an order tickets does not know: the endpoint takes
the intake lock, looks the message up, takes the merge lock and looks for a live complaint of
the customer about the order, ranks it, and writes the complaint, its message, the audit row,
the §4.2 and §4.3 clocks and ComplaintOpened to the outbox, in one transaction.

Raw baseline: the same six rows per complaint, one transaction each, from one asyncpg connection
and from CONCURRENCY connections (the like-for-like baseline of CONCURRENCY gateways); its outbox
rows are written as already published, so the app's relay leaves them alone. Then the app paced
at RATE complaints/s (open loop: each request starts on schedule whatever the previous did), the
latency the goal's p99 is about. Sizes: BENCH_COMPLAINTS (default 1000) per path, ROUNDS rounds,
medians printed; ratios are taken within a round (this machine's speed drifts between minutes).

Like for like: after the first round the rows each path wrote are counted table by table
(complaints, messages, audit rows, clocks, outbox rows, idempotency keys: the gateways send no
Idempotency-Key, the (channel, message id) is theirs) and the bench fails if the raw path wrote
other rows than the app. ADR 0022 has the figures before and after the hot path was tuned.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx

from aftersales_chassis import Role, mint_token
from aftersales_devstack.broker import Broker
from aftersales_devstack.services import running_service
from aftersales_events import EventEnvelope
from aftersales_events.catalogue.tickets import ComplaintOpened

from .harness import libpq, outbox_drained, scratch_database

COMPLAINTS = int(os.environ.get("BENCH_COMPLAINTS", "1000"))
CONCURRENCY = 4
RATE = 200.0  # complaints/s: the goal's load
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECRET = "bench-secret-bench-secret-bench-secret"  # 32+ bytes: HS256 wants a key as long as its hash
BODY = "收到的茶叶包装破了，罐子也凹了，客服两个小时没人回复，要求补发或退款。"

RAW_COMPLAINT = """
INSERT INTO complaints (id, state, channel, channel_message_id, subject, body, sender_name, sender_handle,
                        customer_id, order_id, order_known, priority, priority_rule, major, received_at,
                        created_by, created_at, updated_at)
VALUES ($1, 'open', 'wechat', $2, '包装破损', $3, '王女士', $4, $5, $6, false, 'normal', 'default', false, $7,
        'bench-gateway', now(), now())
"""
RAW_MESSAGE = """
INSERT INTO complaint_messages (id, complaint_id, direction, channel, author, body, at)
VALUES (gen_random_uuid(), $1, 'in', 'wechat', $2, $3, $4)
"""
RAW_AUDIT = """
INSERT INTO workflow_transitions (aggregate_type, aggregate_id, action, step, from_state, to_state, actor, reason,
                                  correlation_id, at)
VALUES ('complaint', $1, 'open', '§4', NULL, 'open', 'bench-gateway', '包装破损', $1, now())
"""
RAW_CLOCKS = """
INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration, started_at, due_at, warn_at)
VALUES (gen_random_uuid(), '§4.2', 'complaint', $1, 'running', 'wall', '1 h', now(), now() + interval '1 hour',
        now() + interval '45 minutes'),
       (gen_random_uuid(), '§4.3', 'complaint', $1, 'running', 'wall', '2 h', now(), now() + interval '2 hours',
        now() + interval '90 minutes')
"""
RAW_OUTBOX = """
INSERT INTO outbox (event_id, topic, message_key, event_type, envelope, source, correlation_id, published_at)
VALUES (gen_random_uuid(), 'tickets.events', $1, 'ComplaintOpened', $2::json, '/aftersales/tickets', $1, now())
"""


def _messages(prefix: str) -> list[dict[str, Any]]:
    at = datetime.now(UTC).isoformat()
    return [
        {
            "channel": "wechat",
            "channel_message_id": f"{prefix}-{i}",
            "received_at": at,
            "sender": {"customer_id": f"C-{prefix}-{i}", "handle": f"wx-{prefix}-{i}", "name": "王女士"},
            "order_id": f"TB-{prefix}-{i}",
            "subject": "包装破损",
            "body": BODY,
        }
        for i in range(COMPLAINTS)
    ]


def _client(url: str, concurrency: int) -> httpx.AsyncClient:
    token = mint_token(SECRET, subject="bench-gateway", roles=[Role.service])
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them: reusing
    # one the server is closing at that moment fails the request (httpx.ReadError).
    limits = httpx.Limits(max_keepalive_connections=concurrency, max_connections=concurrency, keepalive_expiry=2.0)
    return httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=60)


async def _post(client: httpx.AsyncClient, body: dict[str, Any], latencies: list[float]) -> None:
    started = time.perf_counter()
    response = await client.post("/complaints/intake", json=body)
    latencies.append(time.perf_counter() - started)
    assert response.status_code == 201, response.text


async def _http(url: str, bodies: list[dict[str, Any]], concurrency: int) -> tuple[float, list[float]]:
    """As fast as ``concurrency`` gateways can post, each waiting for its answer."""
    latencies: list[float] = []
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    async with _client(url, concurrency) as client:

        async def worker() -> None:
            while not queue.empty():
                await _post(client, queue.get_nowait(), latencies)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return len(bodies) / elapsed, latencies


async def _paced(url: str, bodies: list[dict[str, Any]], rate: float) -> tuple[float, list[float]]:
    """Open loop at ``rate``/s: the latency a gateway sees at that load."""
    latencies: list[float] = []
    async with _client(url, 32) as client:
        started = time.perf_counter()
        tasks = []
        for n, body in enumerate(bodies):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_post(client, body, latencies)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return len(bodies) / elapsed, latencies


def _opened_envelope() -> str:
    """A real ComplaintOpened envelope (the JSON the app writes is of this size and shape)."""
    at = datetime.now(UTC)
    payload = ComplaintOpened(complaint_id=uuid.uuid4(), order_id="TB-raw", channel="wechat", opened_at=at)
    return EventEnvelope.wrap(payload, subject=str(payload.complaint_id), time=at).model_dump_json()


async def _raw(url: str, bodies: list[dict[str, Any]]) -> tuple[float, list[float]]:
    connection = await asyncpg.connect(libpq(url))
    envelope, latencies = _opened_envelope(), []
    started_all = time.perf_counter()
    for body in bodies:
        started = time.perf_counter()
        complaint_id, at = uuid.uuid4(), datetime.fromisoformat(body["received_at"])
        key = str(complaint_id)
        async with connection.transaction():
            sender = body["sender"]
            await connection.execute(RAW_COMPLAINT, complaint_id, body["channel_message_id"] + "R", body["body"],
                                     sender["handle"], sender["customer_id"], body["order_id"], at)  # fmt: skip
            await connection.execute(RAW_MESSAGE, complaint_id, body["sender"]["handle"], body["body"], at)
            await connection.execute(RAW_AUDIT, key)
            await connection.execute(RAW_CLOCKS, key)
            await connection.execute(RAW_OUTBOX, key, envelope)
        latencies.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - started_all
    await connection.close()
    return len(bodies) / elapsed, latencies


async def _raw_parallel(url: str, bodies: list[dict[str, Any]], connections: int) -> tuple[float, list[float]]:
    started = time.perf_counter()
    parts = await asyncio.gather(*(_raw(url, bodies[k::connections]) for k in range(connections)))
    return len(bodies) / (time.perf_counter() - started), [lat for _, lats in parts for lat in lats]


ROWS_WRITTEN = """
SELECT count(*) AS complaints,
       (SELECT count(*) FROM complaint_messages m JOIN complaints c ON c.id = m.complaint_id
         WHERE c.channel_message_id LIKE $1) AS messages,
       (SELECT count(*) FROM workflow_transitions t JOIN complaints c ON t.aggregate_id = c.id::text
         WHERE c.channel_message_id LIKE $1) AS transitions,
       (SELECT count(*) FROM sla_clocks k JOIN complaints c ON k.aggregate_id = c.id::text
         WHERE c.channel_message_id LIKE $1) AS clocks,
       (SELECT count(*) FROM outbox o JOIN complaints c ON o.message_key = c.id::text
         WHERE c.channel_message_id LIKE $1) AS outbox,
       (SELECT count(*) FROM idempotency_keys) AS idempotency_keys
FROM complaints WHERE channel_message_id LIKE $1
"""


async def _rows_written(url: str, pattern: str) -> dict[str, int]:
    """What a path wrote, table by table (like for like: the raw path must write what the app does)."""
    connection = await asyncpg.connect(libpq(url))
    try:
        return dict(await connection.fetchrow(ROWS_WRITTEN, pattern))
    finally:
        await connection.close()


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _row(name: str, rate: float, latencies: list[float], baseline: float) -> str:
    p50, p99 = _p(latencies, 50) * 1000, _p(latencies, 99) * 1000
    return f"{name:<36} {rate:>9,.0f} {p50:>9.1f} {p99:>9.1f} {rate / baseline:>9.0%}\n"


def main() -> None:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if given else Broker()
    bootstrap = given or (broker.bootstrap if broker else "")
    rounds: list[dict[str, tuple[float, list[float]]]] = []
    written: dict[str, dict[str, int]] = {}
    try:
        with scratch_database("tickets") as url:
            extra = {"TICKETS_LOG_LEVEL": "WARNING", "TICKETS_LOG_JSON": "true", "TICKETS_STORAGE_URL": "memory:///"}
            with running_service(
                "tickets", database_url=url, kafka_bootstrap=bootstrap, jwt_secret=SECRET, extra_env=extra
            ) as service:
                run = uuid.uuid4().hex[:6]
                asyncio.run(_http(service.url, _messages(f"w{run}")[:50], 1))  # warm-up
                for r in range(ROUNDS):
                    one = asyncio.run(_http(service.url, _messages(f"s{run}{r}"), 1))
                    many = asyncio.run(_http(service.url, _messages(f"c{run}{r}"), CONCURRENCY))
                    asyncio.run(outbox_drained(url))  # the relay's backlog does not share the raw paths' CPU
                    raw = asyncio.run(_raw(url, _messages(f"r{run}{r}")))
                    raw_parallel = asyncio.run(_raw_parallel(url, _messages(f"p{run}{r}"), CONCURRENCY))
                    paced = asyncio.run(_paced(service.url, _messages(f"g{run}{r}"), RATE))
                    asyncio.run(outbox_drained(url))
                    rounds.append({"one": one, "many": many, "raw": raw, "raw_parallel": raw_parallel, "paced": paced})
                    if r == 0:
                        written = {
                            "app": asyncio.run(_rows_written(url, f"c{run}{r}-%")),
                            "raw": asyncio.run(_rows_written(url, f"p{run}{r}-%R")),
                        }
    finally:
        if broker is not None:
            broker.stop()
    median = {
        path: (statistics.median([r[path][0] for r in rounds]), [lat for r in rounds for lat in r[path][1]])
        for path in ("raw", "raw_parallel", "one", "many", "paced")
    }
    out, raw_rate = sys.stdout, median["raw"][0]
    out.write(f"\nComplaint intake: {COMPLAINTS} new WeChat complaints per path, POST /complaints/intake\n")
    out.write("app = uvicorn subprocess on a real socket (relay + scheduler running); raw = asyncpg, same 6 rows\n")
    out.write(f"median of {ROUNDS} rounds (each runs every path back to back); latencies over all rounds\n")
    for path, counts in written.items():
        out.write(f"rows written by {path} for {COMPLAINTS} complaints: {counts}\n")
    assert {k: v for k, v in written["app"].items() if k != "idempotency_keys"} == {
        k: v for k, v in written["raw"].items() if k != "idempotency_keys"
    }, "the raw baseline must write the rows the app writes"
    out.write(f"{'':<36} {'per s':>9} {'p50 ms':>9} {'p99 ms':>9} {'of raw':>9}\n")
    out.write(_row("raw asyncpg, 1 connection", *median["raw"], raw_rate))
    out.write(_row(f"raw asyncpg, {CONCURRENCY} connections", *median["raw_parallel"], raw_rate))
    out.write(_row("HTTP app, 1 gateway", *median["one"], raw_rate))
    out.write(_row(f"HTTP app, {CONCURRENCY} gateways", *median["many"], raw_rate))
    out.write(_row(f"HTTP app paced at {RATE:.0f}/s", *median["paced"], raw_rate))
    alone = [r["one"][0] / r["raw"][0] for r in rounds]
    like = [r["many"][0] / r["raw_parallel"][0] for r in rounds]
    out.write(
        f"HTTP app vs raw, same round (goal ≥ 50%): 1 gateway vs 1 connection median {statistics.median(alone):.0%} "
        f"(rounds {', '.join(f'{x:.0%}' for x in alone)}); {CONCURRENCY} gateways vs {CONCURRENCY} connections "
        f"median {statistics.median(like):.0%} (rounds {', '.join(f'{x:.0%}' for x in like)})\n"
    )
    p99 = _p(median["paced"][1], 99) * 1000
    out.write(f"p99 at {RATE:.0f} complaints/s (goal < 50 ms): {p99:.1f} ms\n")


if __name__ == "__main__":
    main()
