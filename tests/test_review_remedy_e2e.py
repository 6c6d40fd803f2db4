"""Cross-service, through the real broker: a negative review → its case, with the order's customer
and phone learnt from the returns service's order facts → a quality remedy within the paid price,
approved by another supervisor and agreed (Z4 → Z5 → Z6, RemedyApproved) → finance books it →
the review amended on the marketplace → the case closed (W5)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess

# The session's e2e stack reads each topic from its start on a group of its own (conftest), so
# its finance first works through every event the earlier tests and fault scenarios put on
# returns.events and reviews.events: waiting 30 s for one refund was too little in a full run.
FINANCE_CATCH_UP = 180.0


async def test_a_negative_review_gets_a_remedy_booked_by_finance_and_is_amended(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    returns, reviews, finance = stack["returns"].url, stack["reviews"].url, stack["finance"].url
    order_id = f"TB-E2E-RV-{uuid.uuid4().hex[:6]}"
    agent, supervisor = tokens.headers(Role.agent, subject="ann"), tokens.headers(Role.supervisor, subject="sam")
    async with httpx.AsyncClient(timeout=10) as http:
        facts = [
            {"kind": "placed", "shop_event_id": f"{order_id}-placed", "order_id": order_id, "customer_id": "C-RV",
             "occurred_at": "2026-11-20T10:00:00+08:00", "merchant_id": "M-001",
             "contact": {"name": "Zhao", "phone": "13700001234", "address": "Minhang"},
             "lines": [{"sku": "SKU-TEA", "quantity": 2, "unit_price_minor": 6450}]},
            {"kind": "paid", "shop_event_id": f"{order_id}-paid", "order_id": order_id, "paid_minor": 12900,
             "occurred_at": "2026-11-20T10:01:00+08:00"},
        ]  # fmt: skip
        for fact in facts:
            taken = await http.post(f"{returns}/order-facts", json=fact, headers=tokens.headers(Role.service))
            assert taken.status_code == 200, taken.text

        async def paid_known() -> dict[str, Any] | None:
            order = await http.get(f"{reviews}/orders/{order_id}", headers=agent)
            return order.json() if order.status_code == 200 and order.json()["paid_minor"] == 12900 else None

        order = await eventually(paid_known, message="reviews learning the order's paid price from returns' events")
        assert (order["customer_id"], order["phone"]) == ("C-RV", "13700001234")

        now = datetime.now(UTC)
        review = {"marketplace": "taobao", "review_id": f"RV-{order_id}", "order_id": order_id, "stars": 1,
                  "text": "leaves crushed", "sku": "SKU-TEA", "reviewed_at": now.isoformat(),
                  "updated_at": now.isoformat()}  # fmt: skip
        intake = await http.post(f"{reviews}/reviews", json=review, headers=tokens.headers(Role.service))
        assert intake.status_code == 200, intake.text
        case_id = intake.json()["case_id"]
        case = (await http.get(f"{reviews}/cases/{case_id}", headers=agent)).json()
        assert (case["customer_id"], case["phone"], case["state"]) == ("C-RV", "13700001234", "awaiting_call")

        for action, body in (
            ("call", {"finding": "quality", "note": "leaves crushed in transit"}),
            ("listen", {"note": "heard"}),
            ("explain", {"note": "packaging too thin"}),
        ):
            done = await http.post(f"{reviews}/cases/{case_id}/{action}", json=body, headers=agent)
            assert done.status_code == 200, (action, done.text)
        over = await http.post(
            f"{reviews}/remedies",
            json={"case_id": case_id, "kind": "refund", "description": "too much", "amount_minor": 12901},
            headers=agent,
        )
        assert (over.status_code, over.json()["rule"]) == (422, "Z4.remedy-within-paid-price")
        proposed = await http.post(
            f"{reviews}/remedies",
            json={"case_id": case_id, "kind": "compensation", "description": "20 yuan back", "amount_minor": 2000},
            headers=supervisor,
        )
        assert proposed.status_code == 201, proposed.text
        remedy_id = proposed.json()["id"]
        own = await http.post(f"{reviews}/remedies/{remedy_id}/approve", json={}, headers=supervisor)
        assert (own.status_code, own.json()["rule"]) == (403, "Z5.different-person")
        approved = await http.post(
            f"{reviews}/remedies/{remedy_id}/approve", json={}, headers=tokens.headers(Role.supervisor, subject="sue")
        )
        assert approved.status_code == 200, approved.text
        agreed = await http.post(f"{reviews}/remedies/{remedy_id}/agree", json={}, headers=agent)
        assert agreed.status_code == 200, agreed.text

        async def booked() -> list[dict[str, Any]]:
            page = await http.get(
                f"{finance}/ledger/transactions",
                params={"account": "customer_refunds_payable", "limit": 200},
                headers=tokens.headers(Role.finance),
            )
            assert page.status_code == 200, page.text
            return [tx for tx in page.json()["items"] if tx["details"].get("remedy_id") == remedy_id]

        [transaction] = await eventually(
            booked, timeout=FINANCE_CATCH_UP, message="the remedy booked in finance's ledger"
        )
        postings = {p["account_code"]: p["amount_minor"] for p in transaction["postings"]}
        assert postings["customer_refunds_payable"] == -2000
        assert sum(postings.values()) == 0

        asked = await http.post(f"{reviews}/cases/{case_id}/ask-amend", json={"note": "asked kindly"}, headers=agent)
        assert asked.status_code == 200, asked.text
        amended = await http.post(
            f"{reviews}/reviews",
            json={**review, "stars": 5, "updated_at": datetime.now(UTC).isoformat()},
            headers=tokens.headers(Role.service),
        )
        assert amended.status_code == 200, amended.text
        closed = (await http.get(f"{reviews}/cases/{case_id}", headers=agent)).json()
        assert (closed["state"], closed["outcome"]) == ("amended", "amended")
        history = (await http.get(f"{reviews}/cases/{case_id}/history", headers=agent)).json()
        assert [h["step"] for h in history] == ["W1", "Z1", "Z2", "Z3", "W3", "W5"]
