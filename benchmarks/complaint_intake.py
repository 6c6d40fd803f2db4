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
rows are written as already published, so the app's relay leaves them alone.

Batches (ADR 0023): gateways posting BATCH messages per request to POST /complaints/intake:batch,
beside a raw batch of the same size in one transaction (asyncpg's executemany, one per table:
the cheapest way a hand-written client writes those rows), one gateway against one connection,
CONCURRENCY against CONCURRENCY.

The stack's ceiling (benchmarks.bare_intake_app): FastAPI on uvicorn, a pydantic body and an
asyncpg pool writing the raw path's rows with its statements, nothing else, driven by the same
HTTP clients as the app, 1 against 1 and CONCURRENCY against CONCURRENCY. Its ratio to raw is
what one message per request can reach on this stack before any of the app's own work.

Then the app paced at RATE complaints/s, open loop (each message is due at its scheduled instant
whatever the previous did), latency measured from that scheduled instant, not from when the
client got round to sending it: one message per request, and a gateway that batches by itself
(INFLIGHT requests out at most; each takes all that arrived meanwhile, up to BATCH; a message's
latency includes its wait in the gateway).

Sizes: BENCH_COMPLAINTS (default 1000) per path, ROUNDS rounds, medians printed; ratios are taken
within a round (this machine's speed drifts between minutes). The service's pool pre-ping is off
(BENCH_PRE_PING=true turns it on): the bench's PostgreSQL is local, nothing drops idle
connections, and the raw paths ping nothing either.

Like for like: after the first round the rows each path wrote are counted table by table
(complaints, messages, audit rows, clocks, outbox rows, idempotency keys: the gateways send no
Idempotency-Key, the (channel, message id) is theirs) and the bench fails if the raw path wrote
other rows than the app (or the bare stack). ADR 0022 has the figures before and after the hot
path was tuned. The load generator's cycle collector is paused in each round
(harness.generator_gc_paused).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx

from aftersales_chassis import Role, mint_token
from aftersales_devstack.broker import Broker
from aftersales_devstack.services import ServiceProcess, running_service
from aftersales_events import EventEnvelope
from aftersales_events.catalogue.tickets import ComplaintOpened

from .harness import generator_gc_paused, http_clients, libpq, outbox_drained, scratch_database

COMPLAINTS = int(os.environ.get("BENCH_COMPLAINTS", "1000"))
CONCURRENCY = 4
RATE = 200.0  # complaints/s: the goal's load
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BATCH = int(os.environ.get("BENCH_BATCH", "100"))  # messages per batch request (and per raw batch)
INFLIGHT = int(os.environ.get("BENCH_INFLIGHT", "2"))  # a paced batching gateway's requests out at once
PRE_PING = os.environ.get("BENCH_PRE_PING", "false")
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
    """Open loop at ``rate``/s, one message per request: message n is due at ``n / rate``; its
    latency runs from then to its answer (waiting for a free gateway counts). 32 gateways, each
    on its own connection, take the due messages in turn (harness.http_clients says why)."""
    latencies: list[float] = []
    token = mint_token(SECRET, subject="bench-gateway", roles=[Role.service])
    due: asyncio.Queue[tuple[float, dict[str, Any]] | None] = asyncio.Queue()
    async with http_clients(url, {"Authorization": f"Bearer {token}"}, 32) as clients:

        async def gateway(client: httpx.AsyncClient) -> None:
            while (item := await due.get()) is not None:
                at, body = item
                response = await client.post("/complaints/intake", json=body)
                latencies.append(time.perf_counter() - at)
                assert response.status_code == 201, response.text

        gateways = [asyncio.create_task(gateway(client)) for client in clients]
        started = time.perf_counter()
        for n, body in enumerate(bodies):
            at = started + n / rate
            if (delay := at - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            due.put_nowait((at, body))
        for _ in gateways:
            due.put_nowait(None)
        await asyncio.gather(*gateways)
        elapsed = time.perf_counter() - started
    return len(bodies) / elapsed, latencies


async def _paced_batches(url: str, bodies: list[dict[str, Any]], rate: float) -> tuple[float, list[float]]:
    """Open loop at ``rate``/s into a gateway that batches by itself: with fewer than INFLIGHT
    requests out, it posts everything that has arrived (up to BATCH) at once; otherwise the
    messages wait for an answer. Light load: one message per request, at once; heavy load:
    bigger batches. A message's latency runs from its scheduled arrival to the answer of the
    batch that carried it (its wait in the gateway counts)."""
    latencies: list[float] = []
    pending: list[tuple[float, dict[str, Any]]] = []
    arrived = asyncio.Event()
    slots = asyncio.Semaphore(INFLIGHT)
    async with _client(url, INFLIGHT) as client:
        started = time.perf_counter()

        async def send(batch: list[tuple[float, dict[str, Any]]]) -> None:
            try:
                response = await client.post("/complaints/intake:batch", json=[body for _, body in batch])
                now = time.perf_counter()
                latencies.extend(now - due for due, _ in batch)
                assert response.status_code == 200, response.text
                assert response.json()["created"] == len(batch), response.text
            finally:
                slots.release()

        async def gateway() -> None:
            tasks, sent = [], 0
            while sent < len(bodies):
                await slots.acquire()
                while not pending:
                    arrived.clear()
                    await arrived.wait()
                batch = pending[:BATCH]
                del pending[:BATCH]
                tasks.append(asyncio.create_task(send(batch)))
                sent += len(batch)
            await asyncio.gather(*tasks)

        posting = asyncio.create_task(gateway())
        for n, body in enumerate(bodies):
            due = started + n / rate
            if (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            pending.append((due, body))
            arrived.set()
        await posting
        elapsed = time.perf_counter() - started
    return len(bodies) / elapsed, latencies


async def _batches(url: str, bodies: list[dict[str, Any]], concurrency: int) -> tuple[float, list[float]]:
    """As fast as ``concurrency`` gateways can post batches of BATCH, each waiting for its answer."""
    latencies: list[float] = []
    queue: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
    for k in range(0, len(bodies), BATCH):
        queue.put_nowait(bodies[k : k + BATCH])
    async with _client(url, concurrency) as client:

        async def worker() -> None:
            while not queue.empty():
                batch = queue.get_nowait()
                sent = time.perf_counter()
                response = await client.post("/complaints/intake:batch", json=batch)
                latencies.append(time.perf_counter() - sent)
                assert response.status_code == 200, response.text
                assert response.json()["created"] == len(batch), response.text

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return len(bodies) / elapsed, latencies


def opened_envelope() -> str:
    """A real ComplaintOpened envelope (the JSON the app writes is of this size and shape)."""
    at = datetime.now(UTC)
    payload = ComplaintOpened(complaint_id=uuid.uuid4(), order_id="TB-raw", channel="wechat", opened_at=at)
    return EventEnvelope.wrap(payload, subject=str(payload.complaint_id), time=at).model_dump_json()


async def _raw(url: str, bodies: list[dict[str, Any]]) -> tuple[float, list[float]]:
    connection = await asyncpg.connect(libpq(url))
    envelope, latencies = opened_envelope(), []
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


async def _raw_batches(url: str, bodies: list[dict[str, Any]]) -> tuple[float, list[float]]:
    """The same rows, BATCH complaints per transaction, one executemany per table."""
    connection = await asyncpg.connect(libpq(url))
    envelope, latencies = opened_envelope(), []
    started_all = time.perf_counter()
    for k in range(0, len(bodies), BATCH):
        started = time.perf_counter()
        batch = bodies[k : k + BATCH]
        ids = [uuid.uuid4() for _ in batch]
        keys = [(str(i),) for i in ids]
        at = [datetime.fromisoformat(body["received_at"]) for body in batch]
        async with connection.transaction():
            await connection.executemany(RAW_COMPLAINT, [
                (i, body["channel_message_id"] + "R", body["body"], body["sender"]["handle"],
                 body["sender"]["customer_id"], body["order_id"], t)
                for i, body, t in zip(ids, batch, at, strict=True)
            ])  # fmt: skip
            await connection.executemany(RAW_MESSAGE, [
                (i, body["sender"]["handle"], body["body"], t) for i, body, t in zip(ids, batch, at, strict=True)
            ])  # fmt: skip
            await connection.executemany(RAW_AUDIT, keys)
            await connection.executemany(RAW_CLOCKS, keys)
            await connection.executemany(RAW_OUTBOX, [(key, envelope) for (key,) in keys])
        latencies.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - started_all
    await connection.close()
    return len(bodies) / elapsed, latencies


async def _raw_batches_parallel(url: str, bodies: list[dict[str, Any]], connections: int) -> tuple[float, list[float]]:
    started = time.perf_counter()
    share = -(-len(bodies) // connections)
    parts = await asyncio.gather(*(_raw_batches(url, bodies[k * share : (k + 1) * share]) for k in range(connections)))
    return len(bodies) / (time.perf_counter() - started), [lat for _, lats in parts for lat in lats]


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


PATHS = {
    "raw": "raw asyncpg, 1 connection",
    "raw_parallel": f"raw asyncpg, {CONCURRENCY} connections",
    "one": "HTTP app, 1 gateway",
    "many": f"HTTP app, {CONCURRENCY} gateways",
    "bare_one": "bare stack, 1 client",
    "bare_many": f"bare stack, {CONCURRENCY} clients",
    "raw_batch": f"raw batches of {BATCH}, 1 connection",
    "raw_batch_parallel": f"raw batches of {BATCH}, {CONCURRENCY} conns",
    "batch_one": f"batches of {BATCH}, 1 gateway",
    "batch_many": f"batches of {BATCH}, {CONCURRENCY} gateways",
    "paced": f"single paced at {RATE:.0f}/s",
    "paced_batch": f"batches paced at {RATE:.0f}/s",
}
# What each app path is held against, in the same round (like for like).
AGAINST = {
    "one": "raw",
    "many": "raw_parallel",
    "bare_one": "raw",
    "bare_many": "raw_parallel",
    "batch_one": "raw_batch",
    "batch_many": "raw_batch_parallel",
}


def _round(service_url: str, bare_url: str, url: str, tag: str) -> dict[str, tuple[float, list[float]]]:
    """Every path once, back to back; the relay's backlog drained before each raw path.
    BENCH_BATCH=0 runs the single-message paths only (code from before the batch endpoint)."""
    done = {}
    done["one"] = asyncio.run(_http(service_url, _messages(f"s{tag}"), 1))
    done["many"] = asyncio.run(_http(service_url, _messages(f"c{tag}"), CONCURRENCY))
    done["bare_one"] = asyncio.run(_http(bare_url, _messages(f"y{tag}"), 1))
    done["bare_many"] = asyncio.run(_http(bare_url, _messages(f"z{tag}"), CONCURRENCY))
    asyncio.run(outbox_drained(url))  # the relay's backlog does not share the raw paths' CPU
    done["raw"] = asyncio.run(_raw(url, _messages(f"r{tag}")))
    done["raw_parallel"] = asyncio.run(_raw_parallel(url, _messages(f"p{tag}"), CONCURRENCY))
    if BATCH:
        done["batch_one"] = asyncio.run(_batches(service_url, _messages(f"b{tag}"), 1))
        done["batch_many"] = asyncio.run(_batches(service_url, _messages(f"m{tag}"), CONCURRENCY))
        asyncio.run(outbox_drained(url))
        done["raw_batch"] = asyncio.run(_raw_batches(url, _messages(f"q{tag}")))
        done["raw_batch_parallel"] = asyncio.run(_raw_batches_parallel(url, _messages(f"x{tag}"), CONCURRENCY))
    done["paced"] = asyncio.run(_paced(service_url, _messages(f"g{tag}"), RATE))
    asyncio.run(outbox_drained(url))
    if BATCH:
        done["paced_batch"] = asyncio.run(_paced_batches(service_url, _messages(f"h{tag}"), RATE))
        asyncio.run(outbox_drained(url))
    return done


@contextmanager
def _bare_stack(url: str) -> Iterator[ServiceProcess]:
    """benchmarks.bare_intake_app in its own uvicorn process, as the app runs (bare_intake_app says why)."""
    env = {"BENCH_BARE_DATABASE_URL": url, "BARE_INTAKE_LOG_LEVEL": "WARNING"}
    bare = ServiceProcess("bare_intake", env, app="benchmarks.bare_intake_app:app")
    try:
        bare.wait_healthy(120)
        yield bare
    finally:
        bare.stop()


def main() -> None:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if given else Broker()
    bootstrap = given or (broker.bootstrap if broker else "")
    rounds: list[dict[str, tuple[float, list[float]]]] = []
    written: dict[str, dict[str, int]] = {}
    try:
        with scratch_database("tickets") as url:
            extra = {
                "TICKETS_LOG_LEVEL": "WARNING", "TICKETS_LOG_JSON": "true", "TICKETS_STORAGE_URL": "memory:///",
                "TICKETS_DB_POOL_PRE_PING": PRE_PING,
            }  # fmt: skip
            with (
                running_service(
                    "tickets",
                    database_url=url,
                    kafka_bootstrap=bootstrap,
                    jwt_secret=SECRET,
                    extra_env=extra,
                    timeout=240,
                ) as service,
                _bare_stack(url) as bare,
            ):
                run = uuid.uuid4().hex[:6]
                asyncio.run(_http(service.url, _messages(f"w{run}")[:50], 1))  # warm-up
                if BATCH:
                    asyncio.run(_batches(service.url, _messages(f"v{run}")[: 2 * BATCH], 1))
                for r in range(ROUNDS):
                    with generator_gc_paused():  # harness.generator_gc_paused says why
                        rounds.append(_round(service.url, bare.url, url, f"{run}{r}"))
                    if r == 0:
                        written = {
                            name: asyncio.run(_rows_written(url, f"{prefix}{run}{r}-%"))
                            for name, prefix in (("app", "c"), ("raw", "p"), ("bare stack", "z"),
                                                 ("app batches", "m"), ("raw batches", "x"))
                        }  # fmt: skip
                        written["raw"] = asyncio.run(_rows_written(url, f"p{run}{r}-%R"))
                        written["raw batches"] = asyncio.run(_rows_written(url, f"x{run}{r}-%R"))
                        if not BATCH:
                            del written["app batches"], written["raw batches"]
    finally:
        if broker is not None:
            broker.stop()
    paths = [path for path in PATHS if path in rounds[0]]
    median = {
        path: (statistics.median([r[path][0] for r in rounds]), [lat for r in rounds for lat in r[path][1]])
        for path in paths
    }
    out, raw_rate = sys.stdout, median["raw"][0]
    out.write(f"\nComplaint intake: {COMPLAINTS} new WeChat complaints per path, POST /complaints/intake and "
              f"POST /complaints/intake:batch ({BATCH} per request)\n")  # fmt: skip
    out.write("app = uvicorn subprocess on a real socket (relay + scheduler running, pool pre-ping "
              f"{'on' if PRE_PING == 'true' else 'off'}); raw = asyncpg, same 6 rows\n")  # fmt: skip
    out.write(f"median of {ROUNDS} rounds (each runs every path back to back); latencies over all rounds "
              "(batch paths: per request; paced: per message, from its scheduled instant)\n")  # fmt: skip
    for path, counts in written.items():
        out.write(f"rows written by {path} for {COMPLAINTS} complaints: {counts}\n")

    def same(counts: dict[str, int]) -> dict[str, int]:
        return {k: v for k, v in counts.items() if k != "idempotency_keys"}

    assert same(written["app"]) == same(written["raw"]), "the raw baseline must write the rows the app writes"
    assert same(written["bare stack"]) == same(written["raw"]), "the bare stack must write the raw path's rows"
    if BATCH:
        assert same(written["app batches"]) == same(written["raw batches"]) == same(written["app"]), "batches too"
    out.write(f"{'':<36} {'per s':>9} {'p50 ms':>9} {'p99 ms':>9} {'of raw':>9}\n")
    for path in paths:
        out.write(_row(PATHS[path], *median[path], raw_rate))
    out.write("(of raw: against the raw path, 1 connection, one transaction per complaint)\n")
    for path, against in AGAINST.items():
        if path not in median:
            continue
        ratios = [r[path][0] / r[against][0] for r in rounds]
        what = "the stack's ceiling, no app logic" if path.startswith("bare") else "goal ≥ 50%"
        out.write(
            f"{PATHS[path]} vs {PATHS[against]}, same round ({what}): median {statistics.median(ratios):.0%} "
            f"(rounds {', '.join(f'{x:.0%}' for x in ratios)})\n"
        )
    for path in ("paced", "paced_batch")[: 2 if BATCH else 1]:
        p99s = [_p(r[path][1], 99) * 1000 for r in rounds]
        out.write(
            f"p99 at {RATE:.0f} complaints/s, {PATHS[path]} (goal < 50 ms): {_p(median[path][1], 99) * 1000:.1f} ms "
            f"over all rounds (rounds {', '.join(f'{x:.1f}' for x in p99s)} ms; done at "
            f"{', '.join(f'{r[path][0]:.0f}' for r in rounds)}/s)\n"
        )


if __name__ == "__main__":
    main()
