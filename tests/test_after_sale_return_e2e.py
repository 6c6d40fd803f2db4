"""Cross-service: an after-sale case hands its customer to returns (issue 18, C3A → §6) through
the real broker between the running services, and follows the return's outcome.

C1 → C2 → C3A in tickets (AfterSaleReturnRequested) → returns opens a refund request at T1 for
the order, the case id in its reason → the agent routes it (T1A1) and files the return (T1A2,
ReturnRequested) → the supervisor approves it (T1A3) → the warehouse confirms receipt (T1A5) →
each step is on the case's audit trail, the case still ended (`return_requested`).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess

from .test_cases_e2e import PNG, _ok


async def _order(http: httpx.AsyncClient, returns: str, tokens: Tokens, order: str, customer: str) -> None:
    """The order system's facts: placed, paid and shipped (so T1 routes it to T1A1)."""
    facts = [
        {"kind": "placed", "shop_event_id": f"{order}-placed", "order_id": order, "customer_id": customer,
         "occurred_at": "2026-11-20T10:00:00+08:00", "merchant_id": "M-001",
         "lines": [{"sku": "SKU-TEA", "quantity": 2, "unit_price_minor": 6450}]},
        {"kind": "paid", "shop_event_id": f"{order}-paid", "order_id": order, "paid_minor": 12900,
         "occurred_at": "2026-11-20T10:01:00+08:00"},
        {"kind": "shipped", "shop_event_id": f"{order}-shipped", "order_id": order, "courier": "SF",
         "tracking_number": f"SF{order[-6:]}", "occurred_at": "2026-11-21T09:00:00+08:00"},
    ]  # fmt: skip
    for fact in facts:
        taken = await http.post(f"{returns}/order-facts", json=fact, headers=tokens.headers(Role.service))
        assert taken.status_code == 200, taken.text


async def _case_to_c3a(http: httpx.AsyncClient, tickets: str, tokens: Tokens, order: str, customer: str) -> str:
    agent = tokens.headers(Role.agent, subject="ann")
    body = {"kind": "C", "order_id": order, "customer_id": customer, "merchant_id": "M-001", "summary": "one tin short"}
    cid = str((await _ok(await http.post(f"{tickets}/cases", json=body, headers=agent)))["id"])
    await _ok(await http.post(f"{tickets}/cases/{cid}/evidence", files={"file": ("photo.png", PNG)},
                              headers=tokens.headers(Role.customer, subject=customer)))  # fmt: skip
    await _ok(await http.post(f"{tickets}/cases/{cid}/investigation", json={}, headers=agent))
    finding = {"shipped_right_proven": False, "finding": "no packing video"}
    await _ok(await http.post(f"{tickets}/cases/{cid}/warehouse-finding", json=finding,
                              headers=tokens.headers(Role.warehouse)))  # fmt: skip
    remedy = {"remedy": "return", "note": "wants to send it all back"}
    case = await _ok(await http.post(f"{tickets}/cases/{cid}/remedy", json=remedy, headers=agent))
    assert case["state"] == "return_requested"
    assert "follow-return" not in case["allowed_actions"]
    return cid


async def test_a_c3a_case_opens_a_refund_request_and_follows_the_return(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    tickets, returns = stack["tickets"].url, stack["returns"].url
    order, customer = f"TB-E2E-C3A-{uuid.uuid4().hex[:8]}", "C-77"
    agent, supervisor = tokens.headers(Role.agent, subject="ann"), tokens.headers(Role.supervisor, subject="sam")
    async with httpx.AsyncClient(timeout=10) as http:
        await _order(http, returns, tokens, order, customer)
        cid = await _case_to_c3a(http, tickets, tokens, order, customer)

        async def requests() -> list[dict[str, Any]]:
            page = await http.get(f"{returns}/refund-requests", params={"order_id": order}, headers=agent)
            assert page.status_code == 200, page.text
            items: list[dict[str, Any]] = page.json()["items"]
            return items

        [request] = await eventually(requests, message="returns opening T1 for the case's order")
        assert (request["state"], request["created_by"], request["channel"]) == ("open", "tickets", "other")
        assert f"after-sale case {cid} (C, C3A, by ann)" in request["reason"]
        trail = await _ok(await http.get(f"{returns}/refund-requests/{request['id']}/history", headers=agent))
        assert [(t["step"], t["actor"]) for t in trail] == [("T1", "tickets")]  # type: ignore[index]

        # T1 → T1A1 → T1A2: the agent routes it (shipped) and files the return agreed for it.
        routed = await _ok(await http.post(f"{returns}/refund-requests/{request['id']}/route", json={}, headers=agent))
        assert routed["state"] == "negotiating"
        filed = await http.post(
            f"{returns}/returns",
            json={"order_id": order, "reason": "one tin short", "refund_request_id": request["id"],
                  "lines": [{"sku": "SKU-TEA", "quantity": 2, "reason": "wrong_item"}],
                  "requested_refund_minor": 12900, "freight_minor": 0, "freight_payer": "shop"},
            headers={**agent, "Idempotency-Key": f"c3a-{order}"},
        )  # fmt: skip
        assert filed.status_code == 201, filed.text
        rid = filed.json()["id"]
        await _ok(await http.post(f"{returns}/returns/{rid}/approve", json={}, headers=supervisor))
        await _ok(await http.post(f"{returns}/returns/{rid}/receipt", json={}, headers=tokens.headers(Role.warehouse)))

        async def followed() -> list[tuple[str, str]]:
            trail = await http.get(f"{tickets}/cases/{cid}/history", headers=agent)
            assert trail.status_code == 200, trail.text
            steps = [(t["step"], t["reason"]) for t in trail.json() if t["action"] == "follow-return"]
            return steps if len(steps) == 3 else []

        steps = await eventually(followed, message="the case following the return's steps")
        assert [step for step, _ in steps] == ["T1A2", "T1A3", "T1A5"]
        assert all(f"return {rid}" in reason for _, reason in steps)
        case = await _ok(await http.get(f"{tickets}/cases/{cid}", headers=agent))
        assert case["state"] == "return_requested"  # ended: following the return re-opens nothing
        status = await _ok(await http.get(f"{tickets}/cases/{cid}/status",
                                          headers=tokens.headers(Role.customer, subject=customer)))  # fmt: skip
        assert (status["ended"], status["return_step"]) == (True, "T1A5")  # the customer sees the return received
