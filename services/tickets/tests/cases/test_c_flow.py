"""§3.1 short or wrong shipment: C1 with evidence → C2 the warehouse's finding → C3 remedy: a
return (C3A, the return flow by event) or a discount on kept goods (C3B → C3B1 → C3B2 →
AbnormalRefundApproved)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import abnormal_refund_requested, case_at_negotiation, open_case, outbox, post, upload


async def test_c1_needs_evidence_before_the_warehouse_investigates(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await open_case(client, tokens, "C")
    cid, agent = case["id"], tokens.headers(Role.agent)
    bare = await client.post(f"/cases/{cid}/investigation", json={}, headers=agent)
    assert bare.status_code == 422
    assert (bare.json()["rule"], bare.json()["field"]) == ("C1.evidence-required", "path.case_id")
    assert (await upload(client, agent, cid)).status_code == 201
    handed = await post(client, f"/cases/{cid}/investigation", agent, {"note": "photos in"})
    assert (handed["state"], handed["allowed_actions"]) == ("investigating", ["record-finding"])


async def test_warehouse_that_proves_its_shipment_is_not_liable(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await open_case(client, tokens, "C")
    cid = case["id"]
    await upload(client, tokens.headers(Role.agent), cid)
    await post(client, f"/cases/{cid}/investigation", tokens.headers(Role.agent))
    finding = {"shipped_right_proven": True, "finding": "packing video shows both tins"}
    proven = await post(client, f"/cases/{cid}/warehouse-finding", tokens.headers(Role.warehouse), finding)
    assert (proven["state"], proven["liability"], proven["finding"]) == ("negotiating", None, finding["finding"])
    closed = await post(client, f"/cases/{cid}/close", tokens.headers(Role.agent), {"reason": "customer found it"})
    assert (closed["state"], closed["allowed_actions"]) == ("closed", [])


async def test_c3a_hands_the_customer_to_the_return_flow_by_event(
    client: httpx.AsyncClient, tokens: Tokens, tickets_db: str
) -> None:
    case = await case_at_negotiation(client, tokens)
    cid = case["id"]
    assert case["allowed_actions"] == ["choose-remedy", "close"]
    chosen = await post(client, f"/cases/{cid}/remedy", tokens.headers(Role.agent, subject="ann"),
                        {"remedy": "return", "note": "wants an exchange"})  # fmt: skip
    assert (chosen["state"], chosen["allowed_actions"]) == ("return_requested", [])
    [(name, payload)] = await outbox(tickets_db, cid)
    assert name == "AfterSaleReturnRequested"
    assert (payload["step"], payload["case_kind"], payload["order_id"], payload["customer_id"]) == (
        "C3A", "C", case["order_id"], "C-42",
    )  # fmt: skip
    assert (payload["requested_by"], payload["reason"]) == ("ann", "wants an exchange")
    clocks = await client.get("/sla/clocks", params={"aggregate_id": cid}, headers=tokens.headers(Role.supervisor))
    assert {c["step"]: c["state"] for c in clocks.json()["items"]} == {"C1": "stopped", "C2": "stopped",
                                                                      "§3": "stopped"}  # fmt: skip


async def test_c3b_discount_is_requested_approved_and_published(
    client: httpx.AsyncClient, tokens: Tokens, tickets_db: str
) -> None:
    cid, rid = await abnormal_refund_requested(client, tokens, 3000, exchange_cost=5000)
    approved = await post(client, f"/cases/{cid}/abnormal-refunds/{rid}/approve",
                          tokens.headers(Role.supervisor, subject="sam"), {"note": "ok"})  # fmt: skip
    assert (approved["state"], approved["decided_by"], approved["limit_in_force_minor"]) == ("approved", "sam", 5000)
    assert approved["granted_before_minor"] == 0
    case = (await client.get(f"/cases/{cid}", headers=tokens.headers(Role.agent))).json()
    assert (case["state"], case["allowed_actions"]) == ("refunded", [])
    [(name, payload)] = await outbox(tickets_db, cid)
    assert name == "AbnormalRefundApproved"
    assert (payload["amount_minor"], payload["currency"], payload["liability"], payload["approved_by"]) == (
        3000, "CNY", "warehouse", "sam",
    )  # fmt: skip
    assert (payload["abnormal_refund_id"], payload["order_id"], payload["merchant_id"]) == (
        rid, case["order_id"], "M-001",
    )  # fmt: skip
    history = (await client.get(f"/cases/{cid}/history", headers=tokens.headers(Role.agent))).json()
    assert [h["step"] for h in history] == ["C1", "C1", "C2", "C3B", "C3B1", "C3B2"]


async def test_a_refused_abnormal_refund_goes_back_to_c3b1(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    cid, rid = await abnormal_refund_requested(client, tokens, 3000)
    supervisor = tokens.headers(Role.supervisor, subject="sam")
    no_reason = await client.post(f"/cases/{cid}/abnormal-refunds/{rid}/reject", json={}, headers=supervisor)
    assert no_reason.status_code == 422
    rejected = await post(client, f"/cases/{cid}/abnormal-refunds/{rid}/reject", supervisor, {"reason": "too much"})
    assert (rejected["state"], rejected["decided_by"]) == ("rejected", "sam")
    case = (await client.get(f"/cases/{cid}", headers=tokens.headers(Role.agent))).json()
    assert case["state"] == "discount_agreed"
    again = await client.post(f"/cases/{cid}/abnormal-refunds/{rid}/approve", json={}, headers=supervisor)
    assert again.status_code == 409  # the case is back at C3B1, not C3B2
    clock.advance(timedelta(minutes=5))
    smaller = await post(client, f"/cases/{cid}/abnormal-refunds", tokens.headers(Role.agent, subject="ann"),
                         {"amount_minor": 1000, "exchange_cost_minor": 5000, "reason": "agreed 10 yuan"})  # fmt: skip
    listed = (await client.get(f"/cases/{cid}/abnormal-refunds", headers=tokens.headers(Role.finance))).json()
    assert [(r["id"], r["state"]) for r in listed] == [(rid, "rejected"), (smaller["id"], "requested")]
