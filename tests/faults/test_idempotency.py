"""Issue 23, scenario 9: ``Idempotency-Key`` across the five services.

The chassis' unit-of-work route takes the key on every write (ADR 0003). Here, through the
running services:

- every POST of every document declares the ``Idempotency-Key`` header;
- every POST, called with a key, answers the retry with the same key and body the same way
  (a refused request stores nothing, so its retry is refused alike), and never with a 5xx;
- for the POSTs that create something (complaints, cases, order facts, refund requests,
  reviews, callback tasks, do-not-call entries, call events, deposit cancellations, ledger
  accounts and transactions, settlements): the retry gets the same response marked
  ``Idempotent-Replayed`` and the database holds one effect (rows counted in the service's
  own tables); the same key with another body is 422 ``idempotency-key-reused``; concurrent
  retries of one key make one effect, one original answer, and replays of it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import asyncpg
import requests

from aftersales_chassis import Role
from aftersales_devstack.services import ServiceProcess
from aftersales_devstack.urls import libpq_url

from .figures import Figure, record, size
from .generated_support import Caller, call, cancel_on, operations

pytest_plugins = ("tests.faults.generated_support",)

CONCURRENT = size(6, 24)
"""Simultaneous retries of one key."""
ROUNDS = size(1, 5)
"""Sequential and concurrent rounds per creating POST."""

Body = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class Creation:
    service: str
    path: str
    role: Role
    body: Body
    """A valid body made unique by the token given."""
    table: str
    """Where its effect is a row."""


def _at(hour: int = 8) -> str:
    return f"2026-11-23T{hour:02d}:00:00+08:00"


CREATIONS: tuple[Creation, ...] = (
    Creation(
        "tickets",
        "/complaints/intake",
        Role.service,
        lambda u: {
            "channel": "email",
            "channel_message_id": f"idem-{u}",
            "received_at": _at(),
            "sender": {"handle": f"{u}@example.com"},
            "body": "parcel late",
        },
        "complaints",
    ),
    Creation(
        "tickets",
        "/complaints",
        Role.agent,
        lambda u: {"channel": "phone", "sender": {"handle": f"idem-{u}"}, "body": f"complaint {u}"},
        "complaints",
    ),
    Creation(
        "tickets",
        "/cases",
        Role.agent,
        lambda u: {"kind": "C", "order_id": f"O-{u}", "customer_id": f"C-{u}", "summary": "short shipment"},
        "cases",
    ),
    Creation(
        "returns",
        "/order-facts",
        Role.service,
        lambda u: {
            "shop_event_id": f"placed-{u}",
            "order_id": f"O-{u}",
            "occurred_at": _at(),
            "kind": "placed",
            "customer_id": f"C-{u}",
            "lines": [{"sku": "SKU-1", "quantity": 1, "unit_price_minor": 1000}],
        },
        "orders",
    ),
    Creation(
        "reviews",
        "/reviews",
        Role.service,
        lambda u: {
            "marketplace": "tmall",
            "review_id": f"R-{u}",
            "stars": 2,
            "text": "meh",
            "reviewed_at": _at(),
            "updated_at": _at(),
        },
        "reviews",
    ),
    Creation(
        "callcenter",
        "/callbacks",
        Role.supervisor,
        lambda u: {"kind": "outreach", "source": f"idem-{u}", "phone": "13800000000", "note": u},
        "callback_tasks",
    ),
    Creation(
        "callcenter",
        "/do-not-call",
        Role.agent,
        lambda u: {"phone": f"139{int(u[:8], 16) % 10**8:08d}", "reason": "asked"},
        "do_not_call",
    ),
    Creation(
        "callcenter",
        "/calls/events",
        Role.service,
        lambda u: {"events": [{"call_id": f"call-{u}", "kind": "abandoned", "at": _at(), "phone": "13700000000"}]},
        "call_events",
    ),
    Creation(
        "callcenter",
        "/deposit-cancellations",
        Role.agent,
        lambda u: {"deposit_id": f"D-{u}", "merchant_id": "M-IDEM", "amount_minor": 500, "cancel_on": cancel_on()},
        "deposit_cancellations",
    ),
    Creation(
        "finance",
        "/ledger/accounts",
        Role.finance,
        lambda u: {"code": f"idem_{u}", "name": f"idem {u}", "type": "expense"},
        "accounts",
    ),
    Creation(
        "finance",
        "/ledger/transactions",
        Role.finance,
        lambda u: {
            "reference": f"idem-{u}",
            "description": "idempotency",
            "effective_at": _at(),
            "legs": [
                {"account_code": "goodwill_expense", "amount_minor": 100},
                {"account_code": "cash", "amount_minor": -100},
            ],
        },
        "ledger_transactions",
    ),
    Creation(
        "finance",
        "/settlements",
        Role.finance,
        lambda u: {"merchant_id": f"M-{u}", "month": "2026-10"},
        "settlements",
    ),
)


def _count(url: str, table: str) -> int:
    async def count() -> int:
        connection = await asyncpg.connect(url)
        try:
            return int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
        finally:
            await connection.close()

    return asyncio.run(count())


def _same(one: requests.Response, two: requests.Response) -> bool:
    return one.status_code == two.status_code and one.content == two.content


def test_a_retried_post_has_one_effect_and_the_same_answer(
    generated_stack: dict[str, ServiceProcess],
    documents: dict[str, dict[str, Any]],
    http: requests.Session,
    jwt_secret: str,
) -> None:
    posts = [operation for operation in operations(documents) if operation.method == "post"]
    problems: list[str] = []
    sent = refused = errored = doubled = lost = 0
    headers_of = {
        role: {
            "Authorization": "Bearer "
            + Caller(role, scopes=("refund:approve",), subject=f"idem-{role}", merchant_id="M-IDEM").token(jwt_secret)
        }
        for role in Role
    }

    # Every POST: declares the header; a retry answers as the first (stored or refused alike).
    for operation in posts:
        declared = {p["name"] for p in operation.spec.get("parameters", []) if p["in"] == "header"}
        if "Idempotency-Key" not in declared:
            problems.append(f"{operation.label}: no Idempotency-Key header documented")
        role = Role(operation.roles[0].partition("[")[0]) if operation.roles else Role.agent
        headers = {**headers_of[role], "Idempotency-Key": f"sweep-{uuid.uuid4()}"}
        url = generated_stack[operation.service].url
        first, second = call(http, url, operation, headers), call(http, url, operation, headers)
        sent += 2
        refused += sum(1 for r in (first, second) if 400 <= r.status_code < 500)
        errored += sum(1 for r in (first, second) if r.status_code >= 500)
        if first.status_code >= 500 or not _same(first, second):
            problems.append(f"{operation.label}: {first.status_code} then {second.status_code}: {second.text[:200]}")

    # The creating POSTs: one effect, the same answer, another body refused, concurrency.
    checked = 0
    for creation in CREATIONS:
        url = generated_stack[creation.service].url + creation.path
        database = libpq_url(generated_stack[creation.service].database_url)
        headers = headers_of[creation.role]
        for _ in range(ROUNDS):
            unique, key = uuid.uuid4().hex, f"idem-{uuid.uuid4()}"
            body = creation.body(unique)
            before = _count(database, creation.table)
            first = http.post(url, json=body, headers={**headers, "Idempotency-Key": key}, timeout=30)
            again = http.post(url, json=body, headers={**headers, "Idempotency-Key": key}, timeout=30)
            other = http.post(
                url, json=creation.body(uuid.uuid4().hex), headers={**headers, "Idempotency-Key": key}, timeout=30
            )
            after = _count(database, creation.table)
            sent += 3
            label = f"{creation.service} POST {creation.path}"
            if first.status_code >= 300:
                problems.append(f"{label}: the valid request was refused: {first.status_code} {first.text[:300]}")
                continue
            checked += 1
            if not _same(first, again) or again.headers.get("Idempotent-Replayed") != "true":
                problems.append(f"{label}: the retry answered {again.status_code} {again.text[:200]}")
            if other.status_code != 422 or not other.json().get("type", "").endswith("/idempotency-key-reused"):
                problems.append(f"{label}: another body with the key: {other.status_code} {other.text[:200]}")
            refused += int(other.status_code == 422)
            doubled += max(0, after - before - 1)
            lost += max(0, 1 - (after - before))

            # Concurrent retries of a fresh key: one effect, one original answer.
            unique, key = uuid.uuid4().hex, f"idem-{uuid.uuid4()}"
            body = creation.body(unique)
            before = _count(database, creation.table)
            with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
                retry = {**headers, "Idempotency-Key": key}
                answers = list(
                    pool.map(
                        lambda _, u=url, b=body, h=retry: requests.post(u, json=b, headers=h, timeout=60),
                        range(CONCURRENT),
                    )
                )
            after = _count(database, creation.table)
            sent += CONCURRENT
            originals = [a for a in answers if a.headers.get("Idempotent-Replayed") != "true"]
            errored += sum(1 for a in answers if a.status_code >= 500)
            if len(originals) != 1 or not all(_same(originals[0], a) for a in answers):
                statuses = sorted(a.status_code for a in answers)
                problems.append(f"{label}: {CONCURRENT} concurrent retries: {len(originals)} originals, {statuses}")
            doubled += max(0, after - before - 1)
            lost += max(0, 1 - (after - before))

    record(
        Figure(
            "9 idempotency",
            f"every POST ({len(posts)}) retried with its key; {len(CREATIONS)} creating POSTs x {ROUNDS} rounds: "
            f"retry, another body, {CONCURRENT} concurrent retries, effects counted in the databases",
            sent=sent,
            lost=lost,
            doubled=doubled,
            refused=refused,
            errored=errored,
            extra={"posts": len(posts), "effects_checked": checked * 2, "wrong_answers": len(problems)},
        )
    )
    assert not problems, "\n".join(problems)
