"""Cross-service, through the real broker (PROCESSES.md §5): a negative review → its W1 call task
in callcenter (ReviewCallRequested) → the review found malicious, reported and the customer
flagged (E1 → E2 → E3, CustomerFlagged; the case closed, ReviewCaseClosed) → the flag on that
customer's call tasks in callcenter (the W1 call withdrawn) and on their complaint in tickets;
another customer's show none."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 32


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), (response.request.url, response.text)
    body: dict[str, Any] = response.json()
    return body


async def test_a_malicious_reviews_flag_reaches_the_call_tasks_and_complaints_of_that_customer(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    returns, reviews = stack["returns"].url, stack["reviews"].url
    callcenter, tickets = stack["callcenter"].url, stack["tickets"].url
    run = uuid.uuid4().hex[:6]
    order_id, customer, other = f"TB-E2E-FLAG-{run}", f"C-FLAG-{run}", f"C-CALM-{run}"
    phone = "137" + str(uuid.uuid4().int)[:8]
    agent, service = tokens.headers(Role.agent, subject="ann"), tokens.headers(Role.service, subject="crm")
    async with httpx.AsyncClient(timeout=10) as http:
        placed = {"kind": "placed", "shop_event_id": f"{order_id}-placed", "order_id": order_id,
                  "customer_id": customer, "occurred_at": "2026-11-20T10:00:00+08:00", "merchant_id": "M-001",
                  "contact": {"name": "Qian", "phone": phone, "address": "Xuhui"},
                  "lines": [{"sku": "SKU-TEA", "quantity": 1, "unit_price_minor": 6450}]}  # fmt: skip
        await _ok(await http.post(f"{returns}/order-facts", json=placed, headers=tokens.headers(Role.service)))

        async def order_known() -> dict[str, Any] | None:
            order = await http.get(f"{reviews}/orders/{order_id}", headers=agent)
            return order.json() if order.status_code == 200 else None

        await eventually(order_known, message="reviews learning the order's customer and phone from returns")

        async def outreach(who: str, number: str = phone) -> dict[str, Any]:
            body = {"kind": "outreach", "source": f"e2e:{uuid.uuid4().hex[:10]}", "phone": number, "customer_id": who}
            return await _ok(await http.post(f"{callcenter}/callbacks", json=body, headers=service))

        before, bystander = await outreach(customer), await outreach(other, "136" + str(uuid.uuid4().int)[:8])
        assert before["customer_flag"] is None

        now = datetime.now(UTC).isoformat()
        review = {"marketplace": "taobao", "review_id": f"RV-{order_id}", "order_id": order_id, "stars": 1,
                  "text": "pay me or this stays", "sku": "SKU-TEA", "reviewed_at": now, "updated_at": now}  # fmt: skip
        case_id = (await _ok(await http.post(f"{reviews}/reviews", json=review, headers=service)))["case_id"]
        case = await _ok(await http.get(f"{reviews}/cases/{case_id}", headers=agent))

        async def call_task() -> dict[str, Any] | None:
            listed = await _ok(await http.get(
                f"{callcenter}/callbacks", params={"kind": "review_call", "phone": phone}, headers=agent
            ))  # fmt: skip
            found = [t for t in listed["items"] if t["source"] == f"review:{case_id}"]
            return found[0] if found else None

        task = await eventually(call_task, message="ReviewCallRequested → a W1 call task in callcenter")
        assert (task["source_step"], task["state"], task["customer_id"], task["order_id"]) == (
            "W1", "open", customer, order_id,
        )  # fmt: skip
        assert datetime.fromisoformat(task["due_at"]) == datetime.fromisoformat(case["call_due_at"])
        assert task["customer_flag"] is None

        await _ok(
            await http.post(
                f"{reviews}/cases/{case_id}/call",
                json={"finding": "malicious", "note": "demands a refund"},
                headers=agent,
            )
        )  # E1
        evidence = {"filename": "chat.png", "content_base64": base64.b64encode(PNG).decode()}
        report = {"reason": "extortion", "note": "asked for money to remove it", "evidence": [evidence]}
        await _ok(await http.post(f"{reviews}/cases/{case_id}/report", json=report, headers=agent))  # E2
        await _ok(await http.post(f"{reviews}/cases/{case_id}/flag", json={"note": "handle with care"},
                                  headers=agent))  # E3  # fmt: skip

        async def withdrawn_with_flag() -> dict[str, Any] | None:
            found = await call_task()
            return found if found and found["state"] == "withdrawn" and found["customer_flag"] else None

        task = await eventually(withdrawn_with_flag, message="CustomerFlagged then ReviewCaseClosed in callcenter")
        flag = task["customer_flag"]
        assert flag.startswith("E3 malicious review: extortion (handle with care); taobao review RV-")
        assert flag.endswith("by ann")
        got = await _ok(await http.get(f"{callcenter}/callbacks/{before['id']}", headers=agent))
        assert (got["state"], got["customer_flag"]) == ("open", flag)
        assert (await outreach(customer))["customer_flag"] == flag  # a new task of theirs shows it too
        # the flag names the customer and their number: a task for either shows it, another's does not
        got = await _ok(await http.get(f"{callcenter}/callbacks/{bystander['id']}", headers=agent))
        assert got["customer_flag"] is None

        async def complain(who: str) -> dict[str, Any]:
            body = {"channel": "phone", "sender": {"customer_id": who}, "body": "Calling about my review."}
            return await _ok(await http.post(f"{tickets}/complaints", json=body, headers=agent))

        complaint = await complain(customer)

        async def flagged_complaint() -> dict[str, Any] | None:
            got = await _ok(await http.get(f"{tickets}/complaints/{complaint['id']}", headers=agent))
            return got if got["customer_flags"] else None

        shown = (await eventually(flagged_complaint, message="CustomerFlagged kept by tickets"))["customer_flags"]
        seen = [(f["reason"], f["note"], f["flagged_by"], f["case_id"], f["review_id"], f["order_id"]) for f in shown]
        assert seen == [("extortion", "handle with care", "ann", case_id, f"RV-{order_id}", order_id)]
        assert (await complain(other))["customer_flags"] == []
