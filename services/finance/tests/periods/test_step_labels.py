"""Each finance line carries the step that produced it (issue 17 item 12): a cancelled order's
refund is T1B2, a return's T2A (with or without its parcel); a payout carries its refund's step."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_events.catalogue import returns as ret
from aftersales_events.testing import consumer_record, wrap

F = Role.finance
AT = datetime(2023, 5, 10, 4, tzinfo=UTC)


def _approved(
    order_id: str, kind: ret.RefundKind, refund_id: uuid.UUID, return_id: uuid.UUID | None
) -> ret.RefundApproved:
    goodwill = 100 if kind == "goodwill" else 0
    return ret.RefundApproved(
        return_id=return_id, refund_id=refund_id, order_id=order_id, kind=kind, amount_minor=1000,
        goods_minor=1000 - goodwill, freight_minor=0, goodwill_minor=goodwill, currency="CNY", method="online",
        approved_by="sup", approved_at=AT,
    )  # fmt: skip


def _issued(order_id: str, refund_id: uuid.UUID, return_id: uuid.UUID | None) -> ret.RefundIssued:
    return ret.RefundIssued(
        refund_id=refund_id, return_id=return_id, order_id=order_id, amount_minor=1000, currency="CNY",
        method="online", provider_reference=f"pay-{refund_id}", issued_at=AT,
    )  # fmt: skip


async def test_refunds_and_payouts_carry_the_step_that_made_them(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    run = uuid.uuid4().hex[:6]
    cases = {  # order → (refund kind, whether it belongs to a return, the step expected)
        f"cancel-{run}": ("cancellation", False, "T1B2"),
        f"return-{run}": ("return", True, "T2A"),
        f"goodwill-{run}": ("goodwill", True, "T2A"),
        f"lost-{run}": ("lost_in_transit", True, "T2A"),
    }
    payouts: dict[str, str] = {}
    for order_id, (kind, of_return, _) in cases.items():
        refund_id, return_id = uuid.uuid4(), uuid.uuid4() if of_return else None
        assert await runner.process(consumer_record(wrap(_approved(order_id, kind, refund_id, return_id)))) == "applied"  # type: ignore[arg-type]
        issued = wrap(_issued(order_id, refund_id, return_id))
        assert await runner.process(consumer_record(issued)) == "applied"
        payouts[order_id] = f"event:{issued.id}"

    report = (await client.get("/ledger/periods/2023-05", headers=tokens.headers(F))).json()["report"]
    steps = {line["order_id"]: line["step"] for line in report["unreconciled"] if line["order_id"] in cases}
    assert steps == {order_id: step for order_id, (_, _, step) in cases.items()}
    table = (await client.get("/ledger/tables/return_refunds/2023-05", headers=tokens.headers(F))).json()["items"]
    assert {line["order_id"]: line["step"] for line in table if line["order_id"] in cases} == steps
    for order_id, source in payouts.items():
        found = await client.get("/ledger/transactions", params={"source": source}, headers=tokens.headers(F))
        assert found.json()["items"][0]["details"]["step"] == cases[order_id][2], order_id
