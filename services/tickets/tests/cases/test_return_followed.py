"""C3A / P2A2 → §6: a case that handed its customer to returns follows the return's outcome,
from returns' events through the real consumer runner (issue 18: "the case follows the
return's outcome"). The case stays ended; a case that did not hand over ignores them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner, EventPayload
from aftersales_events.catalogue import returns as ret
from aftersales_events.testing import consumer_record, wrap

from .kit import case_at_negotiation, new_order, post


@pytest.fixture
def runner(app: FastAPI) -> ConsumerRunner:
    """The app's own consumer runner (its database and resources: clock, calendar, settings)."""
    consumer: ConsumerRunner = app.state.consumer
    return consumer


AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _filed(order: str, return_id: uuid.UUID) -> ret.ReturnRequested:
    line = ret.ReturnLine(sku="SKU-TEA", quantity=1, unit_price_minor=6450)
    return ret.ReturnRequested(
        return_id=return_id, order_id=order, reason="one tin short", lines=[line], requested_refund_minor=6450,
        freight_minor=0, freight_payer="shop", currency="CNY", requested_by="ann",
    )  # fmt: skip


def _refund(order: str, return_id: uuid.UUID | None, kind: ret.RefundKind = "return") -> ret.RefundApproved:
    return ret.RefundApproved(
        return_id=return_id, refund_id=uuid.uuid4(), order_id=order, kind=kind, amount_minor=6450,
        goods_minor=6450, freight_minor=0, currency="CNY", method="online", approved_by="sam", approved_at=AT,
    )  # fmt: skip


async def _deliver(runner: ConsumerRunner, *payloads: EventPayload) -> list[str]:
    return [await runner.process(consumer_record(wrap(p, subject=str(uuid.uuid4())))) for p in payloads]


async def _followed(client: httpx.AsyncClient, tokens: Tokens, cid: str) -> list[dict[str, Any]]:
    trail = await client.get(f"/cases/{cid}/history", headers=tokens.headers(Role.agent))
    assert trail.status_code == 200, trail.text
    return [t for t in trail.json() if t["action"] == "follow-return"]


async def _handed_over(client: httpx.AsyncClient, tokens: Tokens, order: str) -> str:
    case = await case_at_negotiation(client, tokens, order_id=order)
    agent = tokens.headers(Role.agent, subject="ann")
    handed = await post(client, f"/cases/{case['id']}/remedy", agent, {"remedy": "return", "note": "sends it back"})
    assert handed["state"] == "return_requested"
    assert "follow-return" not in handed["allowed_actions"]  # moved by returns' events, not offered
    return str(case["id"])


async def test_each_step_of_the_return_is_written_on_the_case_once(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner
) -> None:
    order, rid = new_order(), uuid.uuid4()
    cid = await _handed_over(client, tokens, order)
    events: list[EventPayload] = [
        _filed(order, rid),
        ret.ReturnApproved(return_id=rid, order_id=order, approved_by="sam"),
        ret.ReturnReceived(return_id=rid, order_id=order, received_by="wu", received_at=AT, lines=[]),
        _refund(order, rid),
    ]
    records = [consumer_record(wrap(e, subject=str(rid))) for e in events]
    assert [await runner.process(r) for r in records] == ["applied"] * 4
    assert await runner.process(records[1]) == "duplicate"  # redelivered: one effect
    trail = await _followed(client, tokens, cid)
    assert [(t["step"], t["actor"], t["from_state"], t["to_state"]) for t in trail] == [
        ("T1A2", "returns", "return_requested", "return_requested"),
        ("T1A3", "returns", "return_requested", "return_requested"),
        ("T1A5", "returns", "return_requested", "return_requested"),
        ("T2A", "returns", "return_requested", "return_requested"),
    ]
    assert all(str(rid) in t["reason"] for t in trail)
    case = (await client.get(f"/cases/{cid}", headers=tokens.headers(Role.agent))).json()
    assert case["state"] == "return_requested"
    # The customer's view: the case has ended, and shows where the return it handed over is.
    status = (await client.get(f"/cases/{cid}/status", headers=tokens.headers(Role.customer, subject="C-42"))).json()
    assert (status["ended"], status["next_step"], status["return_step"]) == (True, None, "T2A")
    assert status["return_note"] == f"return {rid}: refund of 6450 CNY approved"
    [mine] = [c for c in (await client.get("/cases/mine", params={"limit": 200},
              headers=tokens.headers(Role.customer, subject="C-42"))).json()["items"] if c["id"] == cid]  # fmt: skip
    assert mine["return_step"] == "T2A"


async def test_a_rejected_return_is_recorded_and_the_case_is_not_reopened(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner
) -> None:
    order, rid = new_order(), uuid.uuid4()
    cid = await _handed_over(client, tokens, order)
    rejected = ret.ReturnRejected(return_id=rid, order_id=order, rejected_by="sam", reason="outside the window")
    assert await _deliver(runner, _filed(order, rid), rejected) == ["applied", "applied"]
    assert [(t["step"], t["reason"]) for t in await _followed(client, tokens, cid)] == [
        ("T1A2", f"return {rid} filed: one tin short"),
        ("T1A3", f"return {rid} rejected: outside the window"),
    ]
    status = (await client.get(f"/cases/{cid}/status", headers=tokens.headers(Role.agent))).json()
    assert (status["state"], status["ended"], status["next_step"]) == ("return_requested", True, None)
    assert (status["return_step"], status["return_note"]) == ("T1A3", f"return {rid} rejected: outside the window")


async def test_cases_that_did_not_hand_over_and_other_refunds_are_left_alone(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner
) -> None:
    order, rid = new_order(), uuid.uuid4()
    working = await case_at_negotiation(client, tokens, order_id=order)  # still at C3
    handed = await _handed_over(client, tokens, new_order())  # another order's case
    outcomes = await _deliver(runner, _filed(order, rid), _refund(order, None, "cancellation"))
    assert outcomes == ["applied", "applied"]  # taken, with nothing to write
    assert await _followed(client, tokens, str(working["id"])) == []
    assert await _followed(client, tokens, handed) == []
    case = (await client.get(f"/cases/{working['id']}", headers=tokens.headers(Role.agent))).json()
    assert case["state"] == "negotiating"
    status = (await client.get(f"/cases/{handed}/status", headers=tokens.headers(Role.agent))).json()
    assert (status["return_step"], status["return_note"], status["return_step_at"]) == (None, None, None)
