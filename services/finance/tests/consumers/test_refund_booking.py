"""RefundApproved books one balanced transaction, once, through the real consumer path."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner, EventEnvelope
from aftersales_events.catalogue import returns as ret
from aftersales_events.testing import consumer_record


def _refund(goods: int, freight: int) -> EventEnvelope:
    payload = ret.RefundApproved(
        return_id=uuid.uuid4(),
        order_id="TB-1",
        amount_minor=goods + freight,
        goods_minor=goods,
        freight_minor=freight,
        currency="CNY",
        method="online",
        approved_by="sup",
        approved_at=datetime.now(UTC),
    )
    return EventEnvelope.wrap(payload, subject=str(payload.return_id), time=datetime.now(UTC))


async def test_refund_books_balanced_once_even_when_redelivered(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    envelope = _refund(goods=12900, freight=1200)
    assert await runner.process(consumer_record(envelope)) == "applied"
    assert await runner.process(consumer_record(envelope)) == "duplicate"

    found = await client.get(
        "/ledger/transactions", params={"source": f"event:{envelope.id}"}, headers=tokens.headers(Role.finance)
    )
    items = found.json()["items"]
    assert len(items) == 1
    postings = {p["account_code"]: p["amount_minor"] for p in items[0]["postings"]}
    assert postings == {"sales_returns": 12900, "freight_refunds": 1200, "customer_refunds_payable": -14100}
    assert items[0]["details"]["step"] == "T2A"


async def test_refund_without_freight_has_two_legs(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    envelope = _refund(goods=500, freight=0)
    await runner.process(consumer_record(envelope))
    found = await client.get(
        "/ledger/transactions", params={"source": f"event:{envelope.id}"}, headers=tokens.headers(Role.finance)
    )
    assert [p["account_code"] for p in found.json()["items"][0]["postings"]] == [
        "sales_returns",
        "customer_refunds_payable",
    ]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.finance])
async def test_only_finance_reads_the_ledger(client: httpx.AsyncClient, tokens: Tokens, role: Role) -> None:
    for path in ("/ledger/accounts", "/ledger/transactions"):
        assert (await client.get(path, headers=tokens.headers(role))).status_code == 403
    assert (await client.get("/ledger/accounts", headers=tokens.headers(Role.finance))).status_code == 200
    assert (await client.get("/ledger/accounts")).status_code == 401


async def test_unknown_transaction_is_404(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.get(f"/ledger/transactions/{uuid.uuid4()}", headers=tokens.headers(Role.finance))
    assert response.status_code == 404
