"""Every money event of the platform books one balanced transaction from the event alone,
once, through the real consumer path."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner, EventPayload
from aftersales_events.catalogue import callcenter as cc
from aftersales_events.catalogue import orders
from aftersales_events.catalogue import returns as ret
from aftersales_events.catalogue import reviews as rev
from aftersales_events.catalogue import tickets as tix
from aftersales_events.testing import consumer_record, wrap

NOW = datetime.now(UTC)
U = uuid.uuid4
CNY = {"currency": "CNY"}

CASES: list[tuple[str, EventPayload, dict[str, int]]] = [
    (
        "refund with goodwill",
        ret.RefundApproved(
            refund_id=U(), order_id="O-1", kind="goodwill", amount_minor=1500, goods_minor=1000, freight_minor=200,
            goodwill_minor=300, method="online", approved_by="sup", approved_at=NOW, **CNY,
        ),
        {"sales_returns": 1000, "freight_refunds": 200, "goodwill_expense": 300, "customer_refunds_payable": -1500},
    ),
    (
        "marketplace refund",
        ret.RefundApproved(
            refund_id=U(), order_id="O-2", amount_minor=800, goods_minor=800, freight_minor=0, method="online",
            approved_by="sup", approved_at=NOW, merchant_id="M-1", **CNY,
        ),
        {"merchant_payables": 800, "customer_refunds_payable": -800},
    ),
    (
        "refund issued",
        ret.RefundIssued(
            refund_id=U(), order_id="O-1", amount_minor=1500, method="online", provider_reference="P-1",
            issued_at=NOW, **CNY,
        ),
        {"customer_refunds_payable": 1500, "cash": -1500},
    ),
    (
        "marketplace order paid",
        orders.OrderPaid(
            order_id="O-5", shop_event_id="s-1", occurred_at=NOW, merchant_id="M-1", paid_minor=5000, **CNY
        ),
        {"cash": 5000, "merchant_payables": -5000},
    ),
    (
        "own order paid",
        orders.OrderPaid(order_id="O-6", shop_event_id="s-2", occurred_at=NOW, paid_minor=700, **CNY),
        {"cash": 700, "sales": -700},
    ),
    (
        "C3B2 abnormal refund",
        tix.AbnormalRefundApproved(
            case_id=U(), abnormal_refund_id=U(), order_id="O-7", amount_minor=600, approved_by="sup",
            approved_at=NOW, **CNY,
        ),
        {"sales_allowances": 600, "customer_refunds_payable": -600},
    ),
    (
        "A5 pre-sale discount",
        tix.DiscountApproved(
            discount_id=U(), order_id="O-11", amount_minor=2500, currency="CNY", authority="supervisor",
            agent_limit_minor=2000, order_discounts_minor=2500, requested_by="ann", approved_by="sam",
            approved_at=NOW,
        ),
        {"sales_allowances": 2500, "sales": -2500},
    ),
    (
        "Z6 remedy",
        rev.RemedyApproved(
            review_id=U(), remedy_id=U(), order_id="O-8", amount_minor=400, approved_by="sup", approved_at=NOW, **CNY
        ),
        {"goodwill_expense": 400, "customer_refunds_payable": -400},
    ),
    (
        "K2 courier liable",
        tix.CourierLiabilityAssigned(
            case_id=U(), order_id="O-9", courier="SF", amount_minor=900, assigned_by="log", assigned_at=NOW, **CNY
        ),
        {"courier_receivables": 900, "courier_recoveries": -900},
    ),
    (
        "P2B1 freight advanced",
        tix.QualityReturnFreightAdvanced(
            case_id=U(), order_id="O-10", amount_minor=1200, approved_by="sup", advanced_at=NOW, **CNY
        ),
        {"freight_advanced": 1200, "customer_refunds_payable": -1200},
    ),
    (
        "7.3 deposit cancelled",
        cc.DepositCancelled(
            cancellation_id=U(), deposit_id="D-1", merchant_id="M-1", outcome="cancelled", amount_minor=2000,
            recorded_by="cc", recorded_at=NOW, **CNY,
        ),
        {"cancellation_float": 2000, "customer_refunds_payable": -2000},
    ),
]  # fmt: skip


async def _booked(client: httpx.AsyncClient, tokens: Tokens, event_id: uuid.UUID) -> list[dict[str, object]]:
    response = await client.get(
        "/ledger/transactions", params={"source": f"event:{event_id}"}, headers=tokens.headers(Role.finance)
    )
    items: list[dict[str, object]] = response.json()["items"]
    return items


@pytest.mark.parametrize(("name", "payload", "postings"), CASES, ids=[c[0] for c in CASES])
async def test_money_event_books_balanced_once(
    runner: ConsumerRunner,
    client: httpx.AsyncClient,
    tokens: Tokens,
    name: str,
    payload: EventPayload,
    postings: dict[str, int],
) -> None:
    envelope = wrap(payload)
    assert await runner.process(consumer_record(envelope)) == "applied"
    assert await runner.process(consumer_record(envelope)) == "duplicate"
    items = await _booked(client, tokens, envelope.id)
    assert len(items) == 1
    booked = items[0]
    assert {p["account_code"]: p["amount_minor"] for p in booked["postings"]} == postings  # type: ignore[index,union-attr]
    assert booked["details"]["event_type"] == envelope.type  # type: ignore[index]
    step = name.split()[0]
    if re.fullmatch(r"[A-Z]+\d[0-9A-Z]*", step):  # a step id names the case: the line carries that step
        assert booked["details"]["step"] == step  # type: ignore[index]


async def test_a_refused_deposit_cancellation_moves_no_money(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    envelope = wrap(
        cc.DepositCancelled(
            cancellation_id=U(), deposit_id="D-2", merchant_id="M-1", outcome="refused", reason="goods already made",
            amount_minor=2000, recorded_by="cc", recorded_at=NOW, currency="CNY",
        )
    )  # fmt: skip
    assert await runner.process(consumer_record(envelope)) == "applied"
    assert await _booked(client, tokens, envelope.id) == []


async def test_a_refund_whose_parts_do_not_add_up_is_dead_lettered(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    envelope = wrap(
        ret.RefundApproved(
            refund_id=U(), order_id="O-X", amount_minor=1000, goods_minor=900, freight_minor=0, method="online",
            approved_by="sup", approved_at=NOW, currency="CNY",
        )
    )  # fmt: skip
    assert await runner.process(consumer_record(envelope)) == "dead-lettered"
    assert await _booked(client, tokens, envelope.id) == []


async def test_a_presale_discount_is_booked_under_a5_with_who_granted_it(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    """A5: within the agents' authority the agent approved it; above it, a supervisor did."""
    envelope = wrap(
        tix.DiscountApproved(
            discount_id=U(), order_id="O-12", amount_minor=2000, currency="CNY", authority="agent",
            agent_limit_minor=2000, order_discounts_minor=2000, requested_by="ann", approved_by="ann",
            approved_at=NOW, merchant_id="M-1",
        )
    )  # fmt: skip
    assert await runner.process(consumer_record(envelope)) == "applied"
    [booked] = await _booked(client, tokens, envelope.id)
    details = booked["details"]
    assert isinstance(details, dict)
    assert (details["step"], details["authority"], details["approved_by"], details["order_id"]) == (
        "A5", "agent", "ann", "O-12",
    )  # fmt: skip
