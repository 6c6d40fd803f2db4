"""Cross-service, the five services running as real processes on a real broker (issue 19):

- A5: an agent asks for a discount above the agents' 20 yuan; it waits; the agent cannot
  approve it, a supervisor can (another person); DiscountApproved reaches finance, which books
  it under A5 as a sales allowance;
- §1: an inquiry recorded in tickets converts when the shop's order system reports the
  customer's order to returns (order facts intake), which publishes OrderPlaced to tickets.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), (response.request.url, response.text)
    body: dict[str, Any] = response.json()
    return body


async def test_a_discount_above_20_yuan_approved_by_a_supervisor_is_booked_by_finance(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    tickets, finance = stack["tickets"].url, stack["finance"].url
    agent, supervisor = tokens.headers(Role.agent, subject="ann"), tokens.headers(Role.supervisor, subject="sam")
    order = f"TB-E2E-A5-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(timeout=10) as http:
        body = {"order_id": order, "amount_minor": 2500, "reason": "bulk order of ten tins"}
        pending = _ok(await http.post(f"{tickets}/discounts", json=body, headers=agent))
        assert pending["state"] == "pending"
        refused = await http.post(f"{tickets}/discounts/{pending['id']}/approve", json={}, headers=agent)
        assert refused.status_code == 403, refused.text
        approved = _ok(await http.post(f"{tickets}/discounts/{pending['id']}/approve", json={"note": "ok"},
                                       headers=supervisor))  # fmt: skip
        assert (approved["state"], approved["decided_by"]) == ("approved", "sam")

        async def booked() -> list[Any]:
            page = await http.get(
                f"{finance}/ledger/transactions",
                params={"account": "sales_allowances", "limit": 200},
                headers=tokens.headers(Role.finance),
            )
            assert page.status_code == 200, page.text
            return [tx for tx in page.json()["items"] if tx["details"].get("discount_id") == pending["id"]]

        [transaction] = await eventually(booked, message="the A5 discount booked in finance")
        assert {p["account_code"]: p["amount_minor"] for p in transaction["postings"]} == {
            "sales_allowances": 2500, "sales": -2500,
        }  # fmt: skip
        details = transaction["details"]
        assert (details["step"], details["order_id"], details["authority"], details["approved_by"]) == (
            "A5", order, "supervisor", "sam",
        )  # fmt: skip
        assert details["requested_by"] == "ann"


async def test_an_inquiry_converts_when_the_order_system_reports_the_order(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    tickets, returns = stack["tickets"].url, stack["returns"].url
    customer, order = f"C-E2E-{uuid.uuid4().hex[:8]}", f"TB-E2E-INQ-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(timeout=10) as http:
        inquiry = _ok(await http.post(
            f"{tickets}/inquiries/intake",
            json={"channel_message_id": f"ww-{uuid.uuid4().hex}", "asked_at": "2026-11-20T10:00:00+08:00",
                  "customer_id": customer, "products": ["SKU-TEA-250G"], "question": "新茶吗？", "agent": "alice"},
            headers=tokens.headers(Role.service, subject="gw-wangwang"),
        ))  # fmt: skip
        assert inquiry["state"] == "open"
        fact = {
            "kind": "placed", "shop_event_id": f"oms-{uuid.uuid4().hex}", "order_id": order, "customer_id": customer,
            "occurred_at": "2026-11-21T09:00:00+08:00", "merchant_id": "M-001",
            "lines": [{"sku": "SKU-TEA-250G", "quantity": 2, "unit_price_minor": 6450}],
        }  # fmt: skip
        _ok(await http.post(f"{returns}/order-facts", json=fact,
                            headers=tokens.headers(Role.service, subject="order-system")))  # fmt: skip

        async def converted() -> dict[str, Any] | None:
            found = _ok(await http.get(f"{tickets}/inquiries/{inquiry['id']}", headers=tokens.headers(Role.agent)))
            return found if found["state"] == "converted" else None

        done = await eventually(converted, message="the inquiry converted by OrderPlaced")
        assert (done["converted_order_id"], done["converted_order_minor"]) == (order, 12900)
