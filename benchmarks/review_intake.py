"""Review intake (§5): a marketplace gateway posting new negative reviews through the real HTTP
app, beside a raw asyncpg insert of the same rows.

The app runs as in production (``uvicorn reviews_service.main:app`` in its own process on a
real socket, relay and scheduler on, its default settings, log level WARNING); the client posts
from this process over keep-alive connections. Every review is a new negative one about an order
reviews does not know, the heaviest case: it writes the version (the idempotency key), the
review, its case, the audit row, the W1 clock and ReviewCallRequested, in one transaction.

Raw baseline, the same six rows per review, one transaction per review as the endpoint commits
one per request: from one asyncpg connection (beside one gateway) and from CONCURRENCY
connections (beside CONCURRENCY gateways). Its outbox rows are written as already published,
so the app's relay leaves them alone. Pages of PAGE reviews through ``POST /reviews:batch`` are
measured beside raw pages of the same size, each page in one transaction, written two ways: a
statement per row (as the single path), and one pipelined ``executemany`` per table.

Like for like: after the first round the rows each path wrote are counted table by table
(versions, reviews, cases, audit rows, clocks, outbox rows, idempotency keys: the gateway sends
no Idempotency-Key, the (marketplace, review id, updated at) is its key) and the bench fails if
a raw path wrote other rows than the app path it is compared with. Ratios are taken within a
round (this machine's speed drifts between minutes); medians of ROUNDS rounds are printed, and
every round's ratio. ADR 0024 has the figures before and after the hot path was tuned.

``REVIEW_BENCH_REVIEWS`` and ``REVIEW_BENCH_ROUNDS`` size a run (e.g. 100 and 1).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import httpx

from aftersales_chassis import Role, mint_token
from aftersales_devstack.broker import Broker
from aftersales_devstack.services import running_service
from aftersales_events import EventEnvelope
from aftersales_events.catalogue import reviews as ev

from .harness import libpq, outbox_drained, scratch_database

REVIEWS = int(os.environ.get("REVIEW_BENCH_REVIEWS", "600"))
ROUNDS = int(os.environ.get("REVIEW_BENCH_ROUNDS", "3"))
CONCURRENCY = 4
PAGE = 50  # reviews per POST /reviews:batch (a marketplace API's page)
SECRET = "bench-secret-bench-secret-bench-secret"  # 32+ bytes: HS256 wants a key as long as its hash
TEXT = "the tea arrived crushed"

# The rows the endpoint writes for a new negative review, with the values it writes (the W1
# clock: 24 h wall clock, warned 4 h before); each statement numbers its own arguments.
RAW = [
    """INSERT INTO review_versions (marketplace, review_id, updated_at, stars, outcome, received_at)
       VALUES ('taobao', $1, $2, 2, 'applied', now())""",
    """INSERT INTO reviews (id, marketplace, review_id, order_id, customer_id, sku, stars, rating, text,
                            dsr_description, dsr_service, dsr_logistics, reviewed_at, updated_at, received_at, excluded)
       VALUES ($1, 'taobao', $2, $3, $4, 'SKU-BENCH', 2, 'negative', $5, 3, 4, 2, $6, $6, now(), false)""",
    """INSERT INTO review_cases (id, review_pk, marketplace, review_id, order_id, customer_id, rating, state,
                                 bad_since, call_due_at, amend_requests, updates_while_bad, opened_at, updated_at)
       VALUES ($1, $2, 'taobao', $3, $4, $5, 'negative', 'awaiting_call', $6, $7, 0, 0, now(), now())""",
    """INSERT INTO workflow_transitions (aggregate_type, aggregate_id, action, step, from_state, to_state, actor,
                                         reason, correlation_id, at)
       VALUES ('review_case', $1, 'open', 'W1', NULL, 'awaiting_call', 'bench-gateway', '2 stars (negative)', $2,
               now())""",
    """INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration, started_at, due_at,
                               warn_at, provisional, warn_rule)
       VALUES (gen_random_uuid(), 'W1', 'review_case', $1, 'running', 'wall', '24 h', $2, $3, $4, false,
               'wall:14400')""",
    """INSERT INTO outbox (event_id, topic, message_key, event_type, envelope, source, correlation_id, published_at)
       VALUES (gen_random_uuid(), 'reviews.events', $1, 'aftersales.reviews.ReviewCallRequested.v1', $2::json,
               '/aftersales/reviews', $3, now())""",
]

ROWS_WRITTEN = """
SELECT (SELECT count(*) FROM review_versions WHERE review_id LIKE $1) AS versions,
       (SELECT count(*) FROM reviews WHERE review_id LIKE $1) AS reviews,
       (SELECT count(*) FROM review_cases WHERE review_id LIKE $1) AS cases,
       (SELECT count(*) FROM workflow_transitions t JOIN review_cases c ON t.aggregate_id = c.id::text
         WHERE c.review_id LIKE $1) AS transitions,
       (SELECT count(*) FROM sla_clocks k JOIN review_cases c ON k.aggregate_id = c.id::text
         WHERE c.review_id LIKE $1) AS clocks,
       (SELECT count(*) FROM outbox o JOIN review_cases c ON o.message_key = c.id::text
         WHERE c.review_id LIKE $1) AS outbox,
       (SELECT count(*) FROM idempotency_keys) AS idempotency_keys
"""


def _reviews(prefix: str) -> list[dict[str, Any]]:
    at = datetime.now(UTC).isoformat()
    return [
        {
            "marketplace": "taobao",
            "review_id": f"{prefix}-{i}",
            "order_id": f"TB-{prefix}-{i}",
            "customer_id": f"C-{i}",
            "sku": "SKU-BENCH",
            "stars": 2,
            "text": TEXT,
            "dsr": {"description": 3, "service": 4, "logistics": 2},
            "reviewed_at": at,
            "updated_at": at,
        }
        for i in range(REVIEWS)
    ]


def _client(url: str, concurrency: int) -> httpx.AsyncClient:
    headers = {"Authorization": "Bearer " + mint_token(SECRET, subject="bench-gateway", roles=[Role.service])}
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them (ADR 0022).
    limits = httpx.Limits(max_keepalive_connections=concurrency, max_connections=concurrency, keepalive_expiry=2.0)
    return httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120)


async def _http(url: str, reviews: list[dict[str, Any]], concurrency: int) -> float:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in reviews:
        queue.put_nowait(body)
    async with _client(url, concurrency) as client:

        async def worker() -> None:
            while not queue.empty():
                response = await client.post("/reviews", json=queue.get_nowait())
                assert response.status_code == 200, response.text
                assert response.json()["case_state"] == "awaiting_call", response.text

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(reviews) / (time.perf_counter() - started)


async def _http_pages(url: str, reviews: list[dict[str, Any]]) -> float:
    async with _client(url, 1) as client:
        started = time.perf_counter()
        for first in range(0, len(reviews), PAGE):
            response = await client.post("/reviews:batch", json={"reviews": reviews[first : first + PAGE]})
            assert response.status_code == 200, response.text
            assert {r["outcome"] for r in response.json()["results"]} == {"applied"}, response.text
        return len(reviews) / (time.perf_counter() - started)


def _envelope() -> str:
    at = datetime.now(UTC)
    payload = ev.ReviewCallRequested(
        case_id=uuid.uuid4(), marketplace="taobao", review_id="raw", rating="negative", stars=2, order_id="TB-raw",
        customer_id="C-1", reviewed_at=at, due_at=at + timedelta(hours=24), requested_at=at,
    )  # fmt: skip
    return EventEnvelope.wrap(payload, subject=str(payload.case_id), time=at).model_dump_json()


def _raw_rows(body: dict[str, Any], envelope: str) -> list[tuple[Any, ...]]:
    """One review's arguments for the six RAW statements (its ids with an R: the raw path's own)."""
    review_id, at = body["review_id"] + "R", datetime.fromisoformat(body["reviewed_at"])
    review_pk, case_id, correlation = uuid.uuid4(), uuid.uuid4(), uuid.uuid4().hex
    due, order, customer = at + timedelta(hours=24), body["order_id"], body["customer_id"]
    return [
        (review_id, at),
        (review_pk, review_id, order, customer, body["text"], at),
        (case_id, review_pk, review_id, order, customer, at, due),
        (str(case_id), correlation),
        (str(case_id), at, due, due - timedelta(hours=4)),
        (str(case_id), envelope, correlation),
    ]


async def _raw(url: str, reviews: list[dict[str, Any]], per_transaction: int = 1, *, pipelined: bool = False) -> float:
    """The rows, ``per_transaction`` reviews in each transaction (1: as POST /reviews commits);
    ``pipelined``: each table's rows of the transaction in one ``executemany``."""
    connection = await asyncpg.connect(libpq(url))
    envelope = _envelope()
    statements = [await connection.prepare(sql) for sql in RAW]
    started = time.perf_counter()
    for first in range(0, len(reviews), per_transaction):
        rows = [_raw_rows(body, envelope) for body in reviews[first : first + per_transaction]]
        async with connection.transaction():
            if pipelined:
                for n, sql in enumerate(RAW):
                    await connection.executemany(sql, [review[n] for review in rows])
            else:
                for review in rows:
                    for statement, args in zip(statements, review, strict=True):
                        await statement.fetch(*args)
    rate = len(reviews) / (time.perf_counter() - started)
    await connection.close()
    return rate


async def _raw_parallel(url: str, reviews: list[dict[str, Any]], connections: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(_raw(url, reviews[k::connections]) for k in range(connections)))
    return len(reviews) / (time.perf_counter() - started)


async def _rows_written(url: str, pattern: str) -> dict[str, int]:
    connection = await asyncpg.connect(libpq(url))
    try:
        return dict(await connection.fetchrow(ROWS_WRITTEN, pattern))
    finally:
        await connection.close()


# (app path, raw path it is measured against, what the pair is)
PAIRS = [
    ("one", "raw", "1 gateway vs raw 1 connection"),
    ("many", "raw_parallel", f"{CONCURRENCY} gateways vs raw {CONCURRENCY} connections"),
    ("pages", "raw_pages", f"pages of {PAGE} vs raw, a statement per row"),
    ("pages", "raw_pages_pipelined", f"pages of {PAGE} vs raw, executemany per table"),
]


def main() -> None:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if given else Broker()
    bootstrap = given or (broker.bootstrap if broker else "")
    rounds: list[dict[str, float]] = []
    written: dict[str, dict[str, int]] = {}
    try:
        with scratch_database("reviews") as url:
            extra = {"REVIEWS_LOG_LEVEL": "WARNING", "REVIEWS_LOG_JSON": "true"}
            # Up to 5 min to start: on this shared machine at load 20-30, 60 s was not always enough.
            with running_service(
                "reviews", database_url=url, kafka_bootstrap=bootstrap, jwt_secret=SECRET, extra_env=extra, timeout=300
            ) as service:
                run = uuid.uuid4().hex[:6]
                asyncio.run(_http(service.url, _reviews(f"w{run}")[:50], 1))  # warm-up
                asyncio.run(_http_pages(service.url, _reviews(f"v{run}")[: 2 * PAGE]))
                for r in range(ROUNDS):
                    p = {path: f"{path}{run}{r}" for path, *_ in PAIRS} | {raw: f"{raw}{run}{r}" for _, raw, _ in PAIRS}
                    rates = {
                        "one": asyncio.run(_http(service.url, _reviews(p["one"]), 1)),
                        "many": asyncio.run(_http(service.url, _reviews(p["many"]), CONCURRENCY)),
                    }
                    asyncio.run(outbox_drained(url))  # the relay's backlog does not share the raw paths' CPU
                    rates["raw"] = asyncio.run(_raw(url, _reviews(p["raw"])))
                    rates["raw_parallel"] = asyncio.run(_raw_parallel(url, _reviews(p["raw_parallel"]), CONCURRENCY))
                    rates["pages"] = asyncio.run(_http_pages(service.url, _reviews(p["pages"])))
                    asyncio.run(outbox_drained(url))
                    rates["raw_pages"] = asyncio.run(_raw(url, _reviews(p["raw_pages"]), PAGE))
                    rates["raw_pages_pipelined"] = asyncio.run(
                        _raw(url, _reviews(p["raw_pages_pipelined"]), PAGE, pipelined=True)
                    )
                    rounds.append(rates)
                    if r == 0:
                        written = {path: asyncio.run(_rows_written(url, f"{prefix}-%")) for path, prefix in p.items()}
    finally:
        if broker is not None:
            broker.stop()
    out = sys.stdout
    out.write(f"\nReview intake: {REVIEWS} new negative reviews per path (a version, review, case, audit row, ")
    out.write("W1 clock and event each)\n")
    out.write("app = uvicorn subprocess on a real socket (relay + scheduler running, default settings); ")
    out.write(f"raw = asyncpg, the same six rows; median of {ROUNDS} round(s), ratios within each round\n")
    for path, counts in written.items():
        out.write(f"rows written by {path:<20} {counts}\n")
    for app, raw, name in PAIRS:
        assert written[raw] == written[app], f"{name}: the raw path must write the rows the app writes"
    median = {path: statistics.median(r[path] for r in rounds) for path in rounds[0]}
    out.write(f"{'':<44} {'reviews/s':>10}\n")
    for name, path in (
        ("raw asyncpg, 1 connection", "raw"),
        (f"raw asyncpg, {CONCURRENCY} connections", "raw_parallel"),
        ("HTTP app, 1 gateway (POST /reviews)", "one"),
        (f"HTTP app, {CONCURRENCY} gateways (POST /reviews)", "many"),
        (f"raw asyncpg, pages of {PAGE}, a statement per row", "raw_pages"),
        (f"raw asyncpg, pages of {PAGE}, executemany per table", "raw_pages_pipelined"),
        (f"HTTP app, pages of {PAGE} (POST /reviews:batch)", "pages"),
    ):
        out.write(f"{name:<44} {median[path]:>10,.0f}\n")
    for app, raw, name in PAIRS:
        ratios = [r[app] / r[raw] for r in rounds]
        out.write(
            f"HTTP app vs raw, {name} (goal ≥ 50%): median {statistics.median(ratios):.0%} "
            f"(rounds {', '.join(f'{x:.0%}' for x in ratios)})\n"
        )


if __name__ == "__main__":
    main()
