"""Cross-service, through the real broker between the running services (§4 → §8): an order
with an open complaint in tickets is left out of the merchant's settlement (finance consumes
ComplaintOpened), and settles in the next run once the complaint is closed (ComplaintClosed).

The services run on the system clock, so the 10th's job is not waited for: each run is the
computation that job performs for a merchant's month (POST /settlements, finance's draft)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess


def _facts(order_id: str, merchant: str, paid_at: str) -> list[dict[str, Any]]:
    return [
        {"kind": "placed", "shop_event_id": f"{order_id}-placed", "order_id": order_id, "customer_id": "C-HOLD",
         "occurred_at": paid_at, "merchant_id": merchant,
         "lines": [{"sku": "SKU-TEA", "quantity": 1, "unit_price_minor": 8800}]},
        {"kind": "paid", "shop_event_id": f"{order_id}-paid", "order_id": order_id, "paid_minor": 8800,
         "occurred_at": paid_at},
    ]  # fmt: skip


async def test_an_open_complaint_holds_the_order_out_of_settlement_until_it_closes(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    returns, tickets, finance = stack["returns"].url, stack["tickets"].url, stack["finance"].url
    merchant = f"M-HOLD-{uuid.uuid4().hex[:8]}"
    held, clean = f"TB-HOLD-{uuid.uuid4().hex[:8]}", f"TB-CLEAN-{uuid.uuid4().hex[:8]}"
    fei, fang = tokens.headers(Role.finance, subject="fei"), tokens.headers(Role.finance, subject="fang")

    async with httpx.AsyncClient(timeout=10) as http:

        async def run(month: str, who: dict[str, str] = fei) -> dict[str, Any]:
            drafted = await http.post(f"{finance}/settlements", json={"merchant_id": merchant, "month": month},
                                      headers=who)  # fmt: skip
            assert drafted.status_code in (200, 201), drafted.text
            found: dict[str, Any] = drafted.json()
            return found

        def lines(settlement: dict[str, Any], kind: str) -> dict[str, str | None]:
            return {line["order_id"]: line["reason"] for line in settlement[kind]}

        for order_id in (held, clean):
            for fact in _facts(order_id, merchant, "2026-10-15T10:00:00+08:00"):
                taken = await http.post(f"{returns}/order-facts", json=fact, headers=tokens.headers(Role.service))
                assert taken.status_code == 200, taken.text

        async def both_settle() -> bool:
            return set(lines(await run("2026-10"), "included")) == {held, clean}

        await eventually(both_settle, message="finance knows both orders (OrderPlaced/OrderPaid from returns)")

        complaint = await http.post(
            f"{tickets}/complaints/intake",
            json={"channel": "weibo", "channel_message_id": f"wb-{held}", "received_at": "2026-11-02T09:00:00+08:00",
                  "sender": {"customer_id": "C-HOLD", "handle": "@tea"}, "order_id": held,
                  "body": "茶叶发霉了，商家不理我"},
            headers=tokens.headers(Role.service, subject="gw-weibo"),
        )  # fmt: skip
        assert complaint.status_code == 201, complaint.text
        complaint_id = complaint.json()["id"]

        async def held_back() -> dict[str, Any] | None:
            october = await run("2026-10")
            return october if lines(october, "excluded") == {held: "open_complaint"} else None

        october = await eventually(held_back, message="finance holds the order (ComplaintOpened through the broker)")
        assert set(lines(october, "included")) == {clean}
        approved = await http.post(f"{finance}/settlements/{october['id']}/approve", headers=fang)
        assert approved.status_code == 200, approved.text  # October settles without the held order

        closed = await http.post(
            f"{tickets}/complaints/{complaint_id}/close",
            json={"resolution": "replacement sent"},
            headers=tokens.headers(Role.agent, subject="ann"),
        )
        assert closed.status_code == 200, closed.text

        async def released() -> dict[str, Any] | None:
            november = await run("2026-11")
            return november if set(lines(november, "included")) == {held} else None

        november = await eventually(released, message="the next run settles it (ComplaintClosed through the broker)")
        assert lines(november, "excluded") == {}

        # Reopened (ComplaintOpened again, its opened_at still the first arrival): held again
        # until it closes again; finance orders the facts by when tickets recorded them.
        reopened = await http.post(f"{tickets}/complaints/{complaint_id}/reopen", json={"reason": "mould again"},
                                   headers=tokens.headers(Role.agent, subject="ann"))  # fmt: skip
        assert reopened.status_code == 200, reopened.text

        async def held_again() -> bool:
            return lines(await run("2026-11"), "excluded") == {held: "open_complaint"}

        await eventually(held_again, message="finance holds the reopened complaint's order again")
        closed = await http.post(f"{tickets}/complaints/{complaint_id}/close", json={"resolution": "refunded"},
                                 headers=tokens.headers(Role.agent, subject="ann"))  # fmt: skip
        assert closed.status_code == 200, closed.text
        await eventually(released, message="it settles once the reopened complaint closes again")
