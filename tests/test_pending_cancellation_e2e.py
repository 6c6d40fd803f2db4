"""Cross-service (issue 17 item 4): returns publishes a cancellation in progress, finance holds
the order out of the merchant's settlement until it resolves. The five services run as real
processes against the real broker.

A merchant's October: order P is paid and not shipped, the customer asks to cancel it (T1B,
awaiting the warehouse: OrderCancellationRequested); order S shipped and is being
intercepted, but the interception fails (OrderInterceptRequested, then OrderInterceptFailed);
order K is plain. The settlement run pays S and K and leaves P out as
``cancellation_pending``, unclaimed, so that a later run can settle it or its cancellation.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess


async def _order(
    http: httpx.AsyncClient, returns: str, tokens: Tokens, order_id: str, merchant: str, *, shipped: bool
) -> None:
    facts: list[dict[str, Any]] = [
        {"kind": "placed", "shop_event_id": f"{order_id}-placed", "order_id": order_id, "customer_id": "C-9",
         "occurred_at": "2026-10-08T10:00:00+08:00", "merchant_id": merchant,
         "lines": [{"sku": "SKU-CUP", "quantity": 1, "unit_price_minor": 12900}]},
        {"kind": "paid", "shop_event_id": f"{order_id}-paid", "order_id": order_id, "paid_minor": 12900,
         "occurred_at": "2026-10-08T10:01:00+08:00"},
    ]  # fmt: skip
    if shipped:
        facts.append(
            {"kind": "shipped", "shop_event_id": f"{order_id}-shipped", "order_id": order_id, "courier": "SF",
             "tracking_number": f"SF{order_id}", "occurred_at": "2026-10-09T09:00:00+08:00"}
        )  # fmt: skip
    for fact in facts:
        taken = await http.post(f"{returns}/order-facts", json=fact, headers=tokens.headers(Role.service))
        assert taken.status_code == 200, taken.text


async def _cancel(http: httpx.AsyncClient, returns: str, tokens: Tokens, order_id: str) -> dict[str, Any]:
    opened = await http.post(
        f"{returns}/cancellations",
        json={"order_id": order_id, "reason": "changed my mind", "reason_party": "customer", "freight_minor": 800},
        headers=tokens.headers(Role.agent),
    )
    assert opened.status_code == 201, opened.text
    body: dict[str, Any] = opened.json()
    return body


async def test_a_pending_cancellation_is_left_out_of_the_settlement_run(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    returns, finance = stack["returns"].url, stack["finance"].url
    merchant = f"M-E2E-{uuid.uuid4().hex[:6]}"
    pending, failed, plain = (f"TB-{merchant}-{name}" for name in ("P", "S", "K"))
    async with httpx.AsyncClient(timeout=10) as http:
        await _order(http, returns, tokens, pending, merchant, shipped=False)
        await _order(http, returns, tokens, failed, merchant, shipped=True)
        await _order(http, returns, tokens, plain, merchant, shipped=False)
        awaiting = await _cancel(http, returns, tokens, pending)
        assert awaiting["state"] == "awaiting_warehouse"
        intercepting = await _cancel(http, returns, tokens, failed)
        assert intercepting["state"] == "intercept_requested"
        assert "intercept-failed" in intercepting["allowed_actions"]
        outcome = await http.post(
            f"{returns}/cancellations/{intercepting['id']}/intercept-failed",
            json={"reason": "delivered and signed for before the courier could stop it"},
            headers=tokens.headers(Role.warehouse),
        )
        assert outcome.status_code == 200, outcome.text
        assert outcome.json()["state"] == "intercept_failed"
        # Only the warehouse records the outcome of an interception.
        refused = await http.post(
            f"{returns}/cancellations/{awaiting['id']}/intercept-failed",
            json={"reason": "x"},
            headers=tokens.headers(Role.agent),
        )
        assert refused.status_code == 403, refused.text

        async def settled_as_expected() -> dict[str, Any] | None:
            """Drafts October (a draft is recomputed each time) until finance has every fact,
            and approves it. A fact of these orders still on its way when the draft looked
            right makes the draft out of date (409): it is drafted again, as finance would."""
            draft = await http.post(
                f"{finance}/settlements",
                json={"merchant_id": merchant, "month": "2026-10"},
                headers=tokens.headers(Role.finance, subject="alice"),
            )
            assert draft.status_code == 201, draft.text
            body: dict[str, Any] = draft.json()
            excluded = {x["order_id"]: x["reason"] for x in body["excluded"]}
            included = {x["order_id"] for x in body["included"]}
            if excluded != {pending: "cancellation_pending"} or included != {failed, plain}:
                return None
            approved = await http.post(
                f"{finance}/settlements/{body['id']}/approve", headers=tokens.headers(Role.finance, subject="bob")
            )
            if approved.status_code == 409 and "out of date" in approved.json()["detail"]:
                return None
            assert approved.status_code == 200, approved.text
            return body

        draft = await eventually(
            settled_as_expected, interval=0.5, message="finance holding the pending cancellation out"
        )
        assert draft["net_minor"] == 2 * 12900
        booked = await http.post(
            f"{finance}/settlements/{draft['id']}/book", headers=tokens.headers(Role.finance, subject="alice")
        )
        assert booked.status_code == 200, booked.text
        # What is left on the merchant's payable is the held order alone.
        balance = await http.get(f"{finance}/merchants/{merchant}/balance", headers=tokens.headers(Role.finance))
        assert balance.status_code == 200, balance.text
        assert balance.json()["by_order"] == {pending: 12900}
