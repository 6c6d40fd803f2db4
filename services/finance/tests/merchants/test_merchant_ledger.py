"""Each merchant's payable is a sub-ledger of merchant_payables, per order (issue 17 items 2
and 3): settlement pays what the ledger says each included order owes, and reconciles with
the merchant's balance; a merchant reads its own balance and statement, never another's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_events.catalogue import returns as ret
from aftersales_events.catalogue import tickets as tix

from ..settlement.kit import feed, paid_order

OCTOBER = datetime(2026, 10, 12, 3, tzinfo=UTC)


def _merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


def _finance(tokens: Tokens, who: str = "alice") -> dict[str, str]:
    return tokens.headers(Role.finance, subject=who)


def _goods_refund(order_id: str, merchant: str, goods: int, freight: int = 0) -> ret.RefundApproved:
    return ret.RefundApproved(
        return_id=uuid.uuid4(), refund_id=uuid.uuid4(), order_id=order_id, kind="return",
        amount_minor=goods + freight, goods_minor=goods, freight_minor=freight, currency="CNY", method="online",
        approved_by="sup", approved_at=OCTOBER, merchant_id=merchant,
    )  # fmt: skip


def _merchant_liability(order_id: str, merchant: str, amount: int) -> tix.AbnormalRefundApproved:
    return tix.AbnormalRefundApproved(
        case_id=uuid.uuid4(), abnormal_refund_id=uuid.uuid4(), order_id=order_id, amount_minor=amount,
        currency="CNY", approved_by="sup", approved_at=OCTOBER, liability="merchant", merchant_id=merchant,
    )  # fmt: skip


async def _settle(client: httpx.AsyncClient, tokens: Tokens, merchant: str) -> tuple[dict, httpx.Response]:  # type: ignore[type-arg]
    draft = await client.post(
        "/settlements", json={"merchant_id": merchant, "month": "2026-10"}, headers=_finance(tokens)
    )
    assert draft.status_code == 201, draft.text
    approved = await client.post(f"/settlements/{draft.json()['id']}/approve", headers=_finance(tokens, "bob"))
    return draft.json(), approved


async def test_an_order_half_refunded_and_not_cancelled_settles_at_what_is_left(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = _merchant()
    half, whole, liable = (f"{merchant}-{name}" for name in ("half", "whole", "liable"))
    await feed(runner, *paid_order(half, merchant, 12900, OCTOBER), _goods_refund(half, merchant, 6450, freight=800))
    await feed(runner, *paid_order(whole, merchant, 3000, OCTOBER))
    await feed(runner, *paid_order(liable, merchant, 5000, OCTOBER), _merchant_liability(liable, merchant, 1200))

    balance = (await client.get(f"/merchants/{merchant}/balance", headers=_finance(tokens))).json()
    assert balance["by_order"] == {half: 6450, whole: 3000, liable: 3800}  # the freight is the shop's
    assert balance["owed_minor"] == 13250

    draft, approved = await _settle(client, tokens, merchant)
    assert {x["order_id"]: x["amount_minor"] for x in draft["included"]} == {half: 6450, whole: 3000, liable: 3800}
    assert draft["net_minor"] == 13250  # not 12900 + 3000 + 5000 paid
    assert approved.status_code == 200, approved.text
    booked = await client.post(f"/settlements/{draft['id']}/book", headers=_finance(tokens))
    assert booked.status_code == 200, booked.text

    after = (await client.get(f"/merchants/{merchant}/balance", headers=_finance(tokens))).json()
    assert (after["owed_minor"], after["by_order"]) == (0, {})  # every settled order's payable is zero
    statement = (
        await client.get(f"/merchants/{merchant}/statement", params={"limit": 2}, headers=_finance(tokens))
    ).json()
    lines = statement["items"]
    while statement["next_cursor"]:
        statement = (
            await client.get(
                f"/merchants/{merchant}/statement",
                params={"limit": 2, "cursor": statement["next_cursor"]},
                headers=_finance(tokens),
            )
        ).json()
        lines += statement["items"]
    assert [(x["order_id"], x["step"], x["owed_change_minor"]) for x in lines if x["order_id"] == half] == [
        (half, "B1", 12900),
        (half, "T2A", -6450),
        (half, "§8", -6450),
    ]
    assert sum(x["owed_change_minor"] for x in lines) == 0
    reconciliation = (await client.get("/ledger/reconciliation", headers=_finance(tokens))).json()
    assert reconciliation["ok"], reconciliation
    assert reconciliation["discrepancies"]["merchant_subledger_equals_control"] == 0


async def test_a_refund_booked_after_approval_is_not_paid_out(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = _merchant()
    order = f"{merchant}-A"
    await feed(runner, *paid_order(order, merchant, 4000, OCTOBER))
    draft, approved = await _settle(client, tokens, merchant)
    assert approved.status_code == 200, approved.text
    await feed(runner, _goods_refund(order, merchant, 1000))
    refused = await client.post(f"/settlements/{draft['id']}/book", headers=_finance(tokens))
    assert refused.status_code == 409, refused.text
    assert refused.json()["orders"] == [order]
    owed = (await client.get(f"/merchants/{merchant}/balance", headers=_finance(tokens))).json()["owed_minor"]
    assert owed == 3000  # nothing was paid


async def test_a_settlement_never_takes_more_than_the_merchants_payable(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    """A manual charge to the merchant as a whole (no order) leaves less owed than the orders."""
    merchant = _merchant()
    await feed(runner, *paid_order(f"{merchant}-A", merchant, 4000, OCTOBER))
    charge = {
        "reference": uuid.uuid4().hex, "description": "penalty", "effective_at": OCTOBER.isoformat(),
        "legs": [
            {"account_code": "merchant_payables", "amount_minor": 1001, "merchant_id": merchant},
            {"account_code": "sales_allowances", "amount_minor": -1001},
        ],
    }  # fmt: skip
    assert (await client.post("/ledger/transactions", json=charge, headers=_finance(tokens))).status_code == 201
    draft, refused = await _settle(client, tokens, merchant)
    assert draft["net_minor"] == 4000
    assert refused.status_code == 422, refused.text
    assert refused.json()["rule"] == "settlement.within-payable"
    assert refused.json()["payable_minor"] == 2999


@pytest.mark.parametrize(
    "legs",
    [
        [{"account_code": "merchant_payables", "amount_minor": 5}, {"account_code": "cash", "amount_minor": -5}],
        [
            {"account_code": "sales", "amount_minor": 5, "merchant_id": "m-1"},
            {"account_code": "cash", "amount_minor": -5},
        ],
    ],
)
async def test_a_leg_names_its_merchant_exactly_on_the_merchant_keyed_account(
    client: httpx.AsyncClient, tokens: Tokens, legs: list[dict[str, object]]
) -> None:
    body = {"reference": uuid.uuid4().hex, "description": "x", "effective_at": OCTOBER.isoformat(), "legs": legs}
    refused = await client.post("/ledger/transactions", json=body, headers=_finance(tokens))
    assert refused.status_code == 422, refused.text
    assert refused.json()["rule"] == "ledger.merchant-key"


async def test_a_merchant_reads_its_own_statement_and_settlements_never_anothers(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    mine, theirs = _merchant(), _merchant()
    for merchant in (mine, theirs):
        await feed(runner, *paid_order(f"{merchant}-A", merchant, 700, OCTOBER))
    their_draft = await client.post(
        "/settlements", json={"merchant_id": theirs, "month": "2026-10"}, headers=_finance(tokens)
    )
    my_draft = await client.post(
        "/settlements", json={"merchant_id": mine, "month": "2026-10"}, headers=_finance(tokens)
    )
    me = tokens.headers(Role.merchant, merchant_id=mine)
    for path in ("balance", "statement"):
        own = await client.get(f"/merchants/{mine}/{path}", headers=me)
        assert own.status_code == 200, own.text
        assert (await client.get(f"/merchants/{theirs}/{path}", headers=me)).status_code == 403
        assert (await client.get(f"/merchants/{mine}/{path}", headers=tokens.headers(Role.merchant))).status_code == 403
        for role in (Role.agent, Role.supervisor, Role.customer, Role.warehouse):
            assert (await client.get(f"/merchants/{mine}/{path}", headers=tokens.headers(role))).status_code == 403
        assert (await client.get(f"/merchants/{mine}/{path}")).status_code == 401
    assert (await client.get(f"/merchants/{mine}/balance", headers=me)).json()["owed_minor"] == 700
    unknown = _merchant()
    assert (await client.get(f"/merchants/{unknown}/balance", headers=_finance(tokens))).status_code == 404
    assert {x["order_id"] for x in (await client.get(f"/merchants/{mine}/statement", headers=me)).json()["items"]} == {
        f"{mine}-A"
    }
    assert (await client.get(f"/settlements/{my_draft.json()['id']}", headers=me)).status_code == 200
    assert (await client.get(f"/settlements/{their_draft.json()['id']}", headers=me)).status_code == 404
    listed = (await client.get("/settlements", params={"merchant_id": theirs}, headers=me)).json()["items"]
    assert {x["merchant_id"] for x in listed} == {mine}
