"""Review intake: negative reviews through the real HTTP app, beside raw asyncpg inserts.

The app runs as in production (``uvicorn reviews_service.main:app`` in its own process on a
real socket, relay and scheduler on, log level WARNING); the client posts from this process
over keep-alive connections. Every review is a new negative one, the heaviest case: it writes
the version, the review, its case, the audit row, the W1 clock and ReviewCallRequested.

Raw baseline, same reviews, one asyncpg connection, one transaction per review (as the
endpoint commits one per request): the same six rows, the outbox row a real envelope written
as already published (so the app's relay leaves it alone). The ratio is taken within a round;
the median of ROUNDS rounds is printed (this machine's speed drifts between minutes).

Pages of PAGE reviews through ``POST /reviews:batch`` are measured beside raw inserts of the
same pages, each page in one transaction.

``REVIEW_BENCH_REVIEWS`` and ``REVIEW_BENCH_ROUNDS`` make a run small (e.g. 100 and 1).
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

# The rows the endpoint writes for a new negative review; each statement numbers its own arguments.
RAW = [
    """INSERT INTO review_versions (marketplace, review_id, updated_at, stars, outcome, received_at)
       VALUES ('taobao', $1, $2, 2, 'applied', now())""",
    """INSERT INTO reviews (id, marketplace, review_id, order_id, customer_id, sku, stars, rating, text, reviewed_at,
                            updated_at, received_at, excluded)
       VALUES ($1, 'taobao', $2, $3, 'C-1', 'SKU-B', 2, 'negative', 'bench', $4, $4, now(), false)""",
    """INSERT INTO review_cases (id, review_pk, marketplace, review_id, order_id, customer_id, rating, state,
                                 bad_since, call_due_at, amend_requests, updates_while_bad, opened_at, updated_at)
       VALUES ($1, $2, 'taobao', $3, $4, 'C-1', 'negative', 'awaiting_call', $5, $6, 0, 0, now(), now())""",
    """INSERT INTO workflow_transitions (aggregate_type, aggregate_id, action, step, from_state, to_state, actor, at)
       VALUES ('review_case', $1, 'open', 'W1', NULL, 'awaiting_call', 'bench', now())""",
    """INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration, started_at, due_at,
                               warn_at)
       VALUES (gen_random_uuid(), 'W1', 'review_case', $1, 'running', 'wall', '24 h', $2, $3, $4)""",
    """INSERT INTO outbox (event_id, topic, message_key, event_type, envelope, source, correlation_id, published_at)
       VALUES (gen_random_uuid(), 'reviews.events', $1, 'aftersales.reviews.ReviewCallRequested.v1', $2::json,
               '/aftersales/reviews', $1, now())""",
]


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
            "text": "the tea arrived crushed",
            "dsr": {"description": 3, "service": 4, "logistics": 2},
            "reviewed_at": at,
            "updated_at": at,
        }
        for i in range(REVIEWS)
    ]


async def _http(url: str, reviews: list[dict[str, Any]], concurrency: int) -> float:
    headers = {"Authorization": "Bearer " + mint_token(SECRET, subject="bench-gateway", roles=[Role.service])}
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in reviews:
        queue.put_nowait(body)
    limits = httpx.Limits(max_keepalive_connections=concurrency, max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                response = await client.post("/reviews", json=queue.get_nowait())
                assert response.status_code == 200, response.text
                assert response.json()["case_state"] == "awaiting_call", response.text

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(reviews) / (time.perf_counter() - started)


async def _http_pages(url: str, reviews: list[dict[str, Any]]) -> float:
    headers = {"Authorization": "Bearer " + mint_token(SECRET, subject="bench-gateway", roles=[Role.service])}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        started = time.perf_counter()
        for first in range(0, len(reviews), PAGE):
            response = await client.post("/reviews:batch", json={"reviews": reviews[first : first + PAGE]})
            assert response.status_code == 200, response.text
        return len(reviews) / (time.perf_counter() - started)


def _envelope() -> str:
    at = datetime.now(UTC)
    payload = ev.ReviewCallRequested(
        case_id=uuid.uuid4(), marketplace="taobao", review_id="raw", rating="negative", stars=2, order_id="TB-raw",
        customer_id="C-1", reviewed_at=at, due_at=at + timedelta(hours=24), requested_at=at,
    )  # fmt: skip
    return EventEnvelope.wrap(payload, subject=str(payload.case_id), time=at).model_dump_json()


async def _raw(url: str, reviews: list[dict[str, Any]], per_transaction: int = 1) -> float:
    """The rows, ``per_transaction`` reviews in each transaction (1: as POST /reviews commits)."""
    connection = await asyncpg.connect(libpq(url))
    envelope = _envelope()
    statements = [await connection.prepare(sql) for sql in RAW]
    started = time.perf_counter()
    for first in range(0, len(reviews), per_transaction):
        async with connection.transaction():
            for body in reviews[first : first + per_transaction]:
                await _raw_review(statements, body, envelope)
    rate = len(reviews) / (time.perf_counter() - started)
    await connection.close()
    return rate


async def _raw_review(statements: list[Any], body: dict[str, Any], envelope: str) -> None:
    review_id, at = body["review_id"] + "R", datetime.fromisoformat(body["reviewed_at"])
    review_pk, case_id = uuid.uuid4(), uuid.uuid4()
    due = at + timedelta(hours=24)
    arguments: list[tuple[Any, ...]] = [
        (review_id, at),
        (review_pk, review_id, body["order_id"], at),
        (case_id, review_pk, review_id, body["order_id"], at, due),
        (str(case_id),),
        (str(case_id), at, due, due - timedelta(hours=4)),
        (str(case_id), envelope),
    ]
    for statement, args in zip(statements, arguments, strict=True):
        await statement.fetch(*args)


def main() -> None:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if given else Broker()
    bootstrap = given or (broker.bootstrap if broker else "")
    rounds: list[dict[str, float]] = []
    try:
        with scratch_database("reviews") as url:
            extra = {"REVIEWS_LOG_LEVEL": "WARNING", "REVIEWS_LOG_JSON": "true"}
            with running_service(
                "reviews", database_url=url, kafka_bootstrap=bootstrap, jwt_secret=SECRET, extra_env=extra
            ) as service:
                run = uuid.uuid4().hex[:6]
                asyncio.run(_http(service.url, _reviews(f"w{run}")[:50], 1))
                for r in range(ROUNDS):
                    one = asyncio.run(_http(service.url, _reviews(f"s{run}-{r}"), 1))
                    many = asyncio.run(_http(service.url, _reviews(f"c{run}-{r}"), CONCURRENCY))
                    asyncio.run(outbox_drained(url))  # the raw path does not share the CPU with the relay
                    pages = asyncio.run(_http_pages(service.url, _reviews(f"p{run}-{r}")))
                    asyncio.run(outbox_drained(url))
                    raw = asyncio.run(_raw(url, _reviews(f"r{run}-{r}")))
                    raw_pages = asyncio.run(_raw(url, _reviews(f"q{run}-{r}"), PAGE))
                    rounds.append({"one": one, "many": many, "raw": raw, "pages": pages, "raw_pages": raw_pages})
    finally:
        if broker is not None:
            broker.stop()
    median = {path: statistics.median(r[path] for r in rounds) for path in ("raw", "one", "many", "pages", "raw_pages")}
    out = sys.stdout
    out.write(f"\nReview intake: {REVIEWS} new negative reviews, POST /reviews (a case, a clock, an event each)\n")
    out.write("app = uvicorn subprocess on a real socket (relay + scheduler running); raw = asyncpg, 1 connection,\n")
    out.write(f"the same six rows per review in one transaction; median of {ROUNDS} round(s)\n")
    out.write(f"{'':<36} {'reviews/s':>10} {'of raw':>8}\n")
    for name, path in (("raw asyncpg: every row written", "raw"), ("HTTP app, 1 gateway", "one"),
                       (f"HTTP app, {CONCURRENCY} gateways", "many")):  # fmt: skip
        out.write(f"{name:<36} {median[path]:>10,.0f} {median[path] / median['raw']:>8.0%}\n")
    out.write(f"{f'raw asyncpg: {PAGE} reviews per transaction':<36} {median['raw_pages']:>10,.0f}\n")
    out.write(f"{f'HTTP app, pages of {PAGE} (:batch)':<36} {median['pages']:>10,.0f}\n")
    for name, app, raw in (("one review per request", "one", "raw"), (f"pages of {PAGE}", "pages", "raw_pages")):
        ratios = [r[app] / r[raw] for r in rounds]
        out.write(
            f"HTTP app vs raw, {name}, same round (goal ≥ 50%): median {statistics.median(ratios):.0%} "
            f"(rounds {', '.join(f'{x:.0%}' for x in ratios)})\n"
        )


if __name__ == "__main__":
    main()
