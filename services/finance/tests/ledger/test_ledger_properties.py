"""Properties over any sequence of valid operations (money events, manual bookings in two
currencies, reversals): every transaction balances, balances sum to zero per currency,
the maintained figures equal the postings, and replaying every consumed event (to the same
consumer, and to a fresh one that has no dedupe rows) changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales_chassis import Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner, EventEnvelope
from aftersales_events.catalogue import callcenter as cc
from aftersales_events.catalogue import orders
from aftersales_events.catalogue import returns as ret
from aftersales_events.catalogue import tickets as tix
from aftersales_events.testing import consumer_record, wrap
from finance_service.consumers import HANDLERS

from ..kit import balances

amounts = st.integers(min_value=1, max_value=10**9)
days_ago = st.integers(min_value=0, max_value=90).map(lambda d: datetime.now(UTC) - timedelta(days=d))
U = uuid.uuid4

refunds = st.builds(
    lambda g, f, w, at, merchant: ret.RefundApproved(
        refund_id=U(), order_id="P", amount_minor=g + f + w, goods_minor=g, freight_minor=f, goodwill_minor=w,
        currency="CNY", method="online", approved_by="s", approved_at=at, merchant_id=merchant,
    ),
    amounts, st.integers(0, 10**6), st.integers(0, 10**6), days_ago, st.sampled_from([None, "M-P"]),
)  # fmt: skip
events = st.one_of(
    refunds,
    st.builds(
        lambda a, at: ret.RefundIssued(
            refund_id=U(), order_id="P", amount_minor=a, currency="CNY", method="online", provider_reference="r",
            issued_at=at,
        ),
        amounts, days_ago,
    ),
    st.builds(
        lambda a, at, m: orders.OrderPaid(
            order_id="P", shop_event_id=U().hex, occurred_at=at, paid_minor=a, currency="CNY", merchant_id=m
        ),
        amounts, days_ago, st.sampled_from([None, "M-P"]),
    ),
    st.builds(
        lambda a, at: tix.AbnormalRefundApproved(
            case_id=U(), abnormal_refund_id=U(), order_id="P", amount_minor=a, currency="CNY", approved_by="s",
            approved_at=at,
        ),
        amounts, days_ago,
    ),
    st.builds(
        lambda a, at, outcome: cc.DepositCancelled(
            cancellation_id=U(), deposit_id="D", merchant_id="M-P", outcome=outcome, amount_minor=a, currency="CNY",
            recorded_by="c", recorded_at=at,
        ),
        amounts, days_ago, st.sampled_from(["cancelled", "refused"]),
    ),
)  # fmt: skip
manual = st.tuples(st.sampled_from(["CNY", "USD"]), st.lists(amounts, min_size=1, max_size=4), days_ago)
operations = st.lists(
    st.one_of(events.map(lambda e: ("event", e)), manual.map(lambda m: ("manual", m)), st.just(("reverse", None))),
    min_size=1,
    max_size=12,
)
ACCOUNTS = {
    "CNY": ["cash", "sales", "goodwill_expense", "merchant_payables"],
    "USD": ["prop_cash_usd", "prop_sales_usd"],
}


async def _ensure_usd_accounts(client: httpx.AsyncClient, tokens: Tokens) -> None:
    for code, kind in (("prop_cash_usd", "asset"), ("prop_sales_usd", "revenue")):
        await client.post(
            "/ledger/accounts",
            json={"code": code, "name": code, "type": kind, "currency": "USD"},
            headers=tokens.headers(Role.finance),
        )


async def _manual(client: httpx.AsyncClient, tokens: Tokens, currency: str, parts: list[int], at: datetime) -> str:
    codes = ACCOUNTS[currency]
    legs = [{"account_code": codes[i % len(codes)], "amount_minor": a} for i, a in enumerate(parts)]
    legs.append({"account_code": codes[len(parts) % len(codes)], "amount_minor": -sum(parts)})
    response = await client.post(
        "/ledger/transactions",
        json={
            "reference": U().hex,
            "description": "p",
            "currency": currency,
            "effective_at": at.isoformat(),
            "legs": legs,
        },
        headers=tokens.headers(Role.finance),
    )
    assert response.status_code in (201, 422), response.text  # 422: legs netting to zero on one account
    return str(response.json().get("id", ""))


async def _invariants(client: httpx.AsyncClient, tokens: Tokens) -> None:
    check = (await client.get("/ledger/reconciliation", headers=tokens.headers(Role.finance))).json()
    assert check["ok"], check


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
async def test_any_sequence_keeps_the_books_balanced_and_replays_change_nothing(
    runner: ConsumerRunner, database: Database, client: httpx.AsyncClient, tokens: Tokens, ops: list
) -> None:
    await _ensure_usd_accounts(client, tokens)
    consumed: list[EventEnvelope] = []
    booked: list[str] = []
    for kind, value in ops:
        if kind == "event":
            envelope = wrap(value)
            assert await runner.process(consumer_record(envelope)) == "applied"
            consumed.append(envelope)
        elif kind == "manual":
            if tx := await _manual(client, tokens, *value):
                booked.append(tx)
        elif booked:
            await client.post(
                f"/ledger/transactions/{booked.pop()}/reverse",
                json={"reason": "p"},
                headers=tokens.headers(Role.finance),
            )
        await _invariants(client, tokens)
    before = await balances(client, tokens)
    fresh = ConsumerRunner(
        service="finance",
        group_id=f"finance-replay-{U().hex[:6]}",
        bootstrap_servers="unused:9092",
        sessionmaker=database.sessionmaker,
        handlers=HANDLERS,
        dlq_producer=runner._dlq_producer,
    )
    for envelope in consumed:
        assert await runner.process(consumer_record(envelope)) == "duplicate"
        assert await fresh.process(consumer_record(envelope)) == "applied"  # no dedupe row: the unique source holds
    assert await balances(client, tokens) == before
    await _invariants(client, tokens)
