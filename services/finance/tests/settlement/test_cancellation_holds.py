"""A pending cancellation holds its order out of settlement until it resolves (issue 17
item 4): requested (T1B) or an intercept under way (§6.4) → excluded as
``cancellation_pending``; confirmed or intercepted → still excluded (being cancelled); an
intercept that failed → the order settles again. Facts may arrive in any order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_events.catalogue import returns as ret

from .kit import feed, paid_order

OCTOBER = datetime(2026, 10, 12, 3, tzinfo=UTC)


def _requested(order_id: str, cancellation: uuid.UUID) -> ret.OrderCancellationRequested:
    return ret.OrderCancellationRequested(
        order_id=order_id, cancellation_id=cancellation, requested_by="agent", requested_at=OCTOBER,
        paid_minor=1000, currency="CNY",
    )  # fmt: skip


def _intercept(order_id: str, cancellation: uuid.UUID) -> ret.OrderInterceptRequested:
    return ret.OrderInterceptRequested(
        order_id=order_id, cancellation_id=cancellation, requested_by="agent", requested_at=OCTOBER,
        freight_payer="customer", freight_minor=800, currency="CNY",
    )  # fmt: skip


def _failed(order_id: str, cancellation: uuid.UUID) -> ret.OrderInterceptFailed:
    return ret.OrderInterceptFailed(
        order_id=order_id, cancellation_id=cancellation, recorded_by="wh", failed_at=OCTOBER, reason="delivered"
    )


def _succeeded(order_id: str, cancellation: uuid.UUID) -> ret.OrderInterceptSucceeded:
    return ret.OrderInterceptSucceeded(
        order_id=order_id, cancellation_id=cancellation, recorded_by="wh", intercepted_at=OCTOBER
    )


async def test_pending_cancellations_are_held_out_until_they_resolve(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:8]}"
    names = ("requested", "intercepting", "failed", "failed_first", "intercepted", "plain")
    ids = {name: f"{merchant}-{name}" for name in names}
    cancellations = {name: uuid.uuid4() for name in names}
    for order_id in ids.values():
        await feed(runner, *paid_order(order_id, merchant, 1000, OCTOBER))
    await feed(
        runner,
        _requested(ids["requested"], cancellations["requested"]),
        _intercept(ids["intercepting"], cancellations["intercepting"]),
        _intercept(ids["failed"], cancellations["failed"]),
        _failed(ids["failed"], cancellations["failed"]),
        _failed(ids["failed_first"], cancellations["failed_first"]),  # out of order: the outcome first
        _intercept(ids["failed_first"], cancellations["failed_first"]),
        _intercept(ids["intercepted"], cancellations["intercepted"]),
        _succeeded(ids["intercepted"], cancellations["intercepted"]),
    )
    draft = await client.post(
        "/settlements", json={"merchant_id": merchant, "month": "2026-10"}, headers=tokens.headers(Role.finance)
    )
    assert draft.status_code == 201, draft.text
    body = draft.json()
    assert {x["order_id"]: x["reason"] for x in body["excluded"]} == {
        ids["requested"]: "cancellation_pending",
        ids["intercepting"]: "cancellation_pending",
        ids["intercepted"]: "cancellation_pending",
    }
    assert {x["order_id"] for x in body["included"]} == {ids["failed"], ids["failed_first"], ids["plain"]}
    assert body["net_minor"] == 3000
    # A redelivered request after its resolution changes nothing.
    await feed(runner, _intercept(ids["failed"], cancellations["failed"]))
    again = await client.post(
        "/settlements", json={"merchant_id": merchant, "month": "2026-10"}, headers=tokens.headers(Role.finance)
    )
    assert {x["order_id"] for x in again.json()["included"]} == {ids["failed"], ids["failed_first"], ids["plain"]}
