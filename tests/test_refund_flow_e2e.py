"""Cross-service: the five services run as real processes against the real broker.

returns: T1A2 → T1A3 → T1A5 (ReturnReceived) → T2A (RefundApproved) → finance consumes
RefundApproved and books one balanced transaction, readable over HTTP; a redelivered
RefundApproved (the outbox row published again) still leaves exactly one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import Role
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess

# The session's e2e stack reads each topic from its start on a group of its own (conftest), so
# its finance first works through every event the earlier tests and fault scenarios put on
# returns.events and reviews.events: waiting 30 s for one refund was too little in a full run.
FINANCE_CATCH_UP = 180.0


async def _ledger_for(http: httpx.AsyncClient, finance: str, tokens: Tokens, return_id: str) -> list[dict[str, Any]]:
    page = await http.get(
        f"{finance}/ledger/transactions",
        params={"account": "customer_refunds_payable", "limit": 200},
        headers=tokens.headers(Role.finance),
    )
    assert page.status_code == 200, page.text
    return [tx for tx in page.json()["items"] if tx["details"].get("return_id") == return_id]


async def _duplicates_dropped(http: httpx.AsyncClient, finance: str) -> float:
    """How many duplicates finance has dropped so far (the stack is shared: compare counts)."""
    metrics = (await http.get(f"{finance}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("events_consumed_total{") and 'outcome="duplicate"' in line
    )


async def test_refund_reaches_the_ledger_exactly_once(stack: dict[str, ServiceProcess], jwt_secret: str) -> None:
    tokens = Tokens(jwt_secret)
    returns, finance = stack["returns"].url, stack["finance"].url
    async with httpx.AsyncClient(timeout=10) as http:
        for proc in stack.values():
            ready = await http.get(f"{proc.url}/readyz")
            assert ready.status_code == 200, (proc.name, ready.text)
            assert (await http.get(f"{proc.url}/openapi.json")).status_code == 200

        facts = [
            {"kind": "placed", "shop_event_id": "e2e-1-placed", "order_id": "TB-E2E-1", "customer_id": "C-1",
             "occurred_at": "2026-11-20T10:00:00+08:00", "merchant_id": "M-001",
             "lines": [{"sku": "SKU-TEA", "quantity": 2, "unit_price_minor": 6450}]},
            {"kind": "paid", "shop_event_id": "e2e-1-paid", "order_id": "TB-E2E-1", "paid_minor": 12900,
             "occurred_at": "2026-11-20T10:01:00+08:00"},
            {"kind": "shipped", "shop_event_id": "e2e-1-shipped", "order_id": "TB-E2E-1", "courier": "SF",
             "tracking_number": "SF0001", "occurred_at": "2026-11-21T09:00:00+08:00"},
        ]  # fmt: skip
        for fact in facts:
            taken = await http.post(f"{returns}/order-facts", json=fact, headers=tokens.headers(Role.service))
            assert taken.status_code == 200, taken.text
        created = await http.post(
            f"{returns}/returns",
            json={
                "order_id": "TB-E2E-1", "reason": "damaged",
                "lines": [{"sku": "SKU-TEA", "quantity": 2, "reason": "damaged_in_transit"}],
                "requested_refund_minor": 12900, "freight_minor": 1200, "freight_payer": "shop",
            },
            headers={**tokens.headers(Role.agent), "Idempotency-Key": "e2e-open-1"},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        rid = created.json()["id"]
        steps = [
            ("approve", Role.supervisor, {}),
            ("receipt", Role.warehouse, {}),
            ("refund", Role.supervisor, {"amount_minor": 14100, "freight_minor": 1200, "method": "online"}),
        ]
        for action, role, body in steps:
            response = await http.post(f"{returns}/returns/{rid}/{action}", json=body, headers=tokens.headers(role))
            assert response.status_code == 200, (action, response.text)

        async def booked() -> list[dict[str, Any]]:
            return await _ledger_for(http, finance, tokens, rid)

        transactions = await eventually(
            booked, timeout=FINANCE_CATCH_UP, message="the refund booked in finance's ledger"
        )
        assert len(transactions) == 1
        postings = {p["account_code"]: p["amount_minor"] for p in transactions[0]["postings"]}
        # The goods leg's account is finance's choice (a marketplace order reduces what the shop
        # owes its merchant); what the refund owes the customer and the freight are fixed.
        assert postings["customer_refunds_payable"] == -14100
        assert postings["freight_refunds"] == 1200
        assert sum(postings.values()) == 0

        # Simulate the relay crashing after publishing but before marking: the row goes out again.
        dropped_before = await _duplicates_dropped(http, finance)
        engine = create_async_engine(asyncpg_url(stack["returns"].database_url))
        async with engine.begin() as connection:
            republished = await connection.execute(
                text(
                    "UPDATE outbox SET published_at = NULL"
                    " WHERE message_key = :rid AND event_type LIKE '%RefundApproved%'"
                ),
                {"rid": rid},
            )
            assert republished.rowcount == 1
        await engine.dispose()

        async def dropped() -> bool:
            return await _duplicates_dropped(http, finance) > dropped_before

        await eventually(dropped, message="finance dropping the redelivery")
        assert len(await _ledger_for(http, finance, tokens, rid)) == 1


async def _place_shipped_order(
    http: httpx.AsyncClient, returns: str, tokens: Tokens, order_id: str, phone: str
) -> None:
    facts = [
        {"kind": "placed", "shop_event_id": f"{order_id}-placed", "order_id": order_id, "customer_id": "C-7",
         "occurred_at": "2026-11-20T10:00:00+08:00", "contact": {"name": "Li Lei", "phone": phone, "address": "Xihu"},
         "lines": [{"sku": "SKU-POT", "quantity": 1, "unit_price_minor": 30000}]},
        {"kind": "paid", "shop_event_id": f"{order_id}-paid", "order_id": order_id, "paid_minor": 30000,
         "occurred_at": "2026-11-20T10:01:00+08:00"},
        {"kind": "shipped", "shop_event_id": f"{order_id}-shipped", "order_id": order_id, "courier": "SF",
         "tracking_number": f"SF{order_id}", "occurred_at": "2026-11-21T09:00:00+08:00"},
    ]  # fmt: skip
    for fact in facts:
        taken = await http.post(f"{returns}/order-facts", json=fact, headers=tokens.headers(Role.service))
        assert taken.status_code == 200, taken.text


async def test_scanned_parcel_is_matched_received_refunded_and_booked(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    """M → M1 (by the return tracking number) → M7–M12 intact → T1A5 → T2A → finance."""
    tokens = Tokens(jwt_secret)
    returns, finance = stack["returns"].url, stack["finance"].url
    async with httpx.AsyncClient(timeout=10) as http:
        await _place_shipped_order(http, returns, tokens, "TB-E2E-2", "13912345678")
        created = await http.post(
            f"{returns}/returns",
            json={"order_id": "TB-E2E-2", "reason": "cracked", "lines": [{"sku": "SKU-POT", "quantity": 1}],
                  "requested_refund_minor": 30000},
            headers=tokens.headers(Role.agent),
        )  # fmt: skip
        rid = created.json()["id"]
        await http.post(f"{returns}/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
        await http.post(f"{returns}/returns/{rid}/tracking", json={"courier": "YTO", "tracking_number": "YT9900112233"},
                        headers=tokens.headers(Role.agent))  # fmt: skip
        now = datetime.now(UTC)
        scans = [
            {"scan_id": "e2e-2-arrived", "kind": "arrived", "scanned_at": now.isoformat(),
             "tracking_number": "YT9900112233"},
            {"scan_id": "e2e-2-inspected", "kind": "inspected", "scanned_at": (now + timedelta(minutes=5)).isoformat(),
             "tracking_number": "YT9900112233", "intact": True},
        ]  # fmt: skip
        batch = await http.post(f"{returns}/parcels/scans:batch", json=scans, headers=tokens.headers(Role.warehouse))
        assert batch.status_code == 200, batch.text
        current = await http.get(f"{returns}/returns/{rid}", headers=tokens.headers(Role.agent))
        assert current.json()["state"] == "received"
        refund = await http.post(f"{returns}/returns/{rid}/refund", json={"amount_minor": 30000},
                                 headers=tokens.headers(Role.supervisor))  # fmt: skip
        assert refund.status_code == 200, refund.text

        async def booked() -> list[dict[str, Any]]:
            return await _ledger_for(http, finance, tokens, rid)

        [transaction] = await eventually(
            booked, timeout=FINANCE_CATCH_UP, message="the refund booked in finance's ledger"
        )
        assert {p["account_code"]: p["amount_minor"] for p in transaction["postings"]}["customer_refunds_payable"] == (
            -30000
        )


async def test_unmatched_parcel_ends_in_the_unclaimed_register(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    """M1 finds nothing → M2–M3 customer service → M4–M6 unclaimed register, and its event on the broker."""
    tokens = Tokens(jwt_secret)
    returns = stack["returns"].url
    async with httpx.AsyncClient(timeout=10) as http:
        scan = {"scan_id": "e2e-3-arrived", "kind": "arrived", "scanned_at": datetime.now(UTC).isoformat(),
                "tracking_number": "ZTO000111222", "sender_name": "Nobody Known"}  # fmt: skip
        batch = await http.post(f"{returns}/parcels/scans:batch", json=[scan], headers=tokens.headers(Role.warehouse))
        [parcel] = batch.json()["parcels"]
        queue = await http.get(f"{returns}/parcels/unmatched", headers=tokens.headers(Role.agent))
        assert parcel["parcel_id"] in [p["id"] for p in queue.json()["items"]]
        registered = await http.post(f"{returns}/parcels/{parcel['parcel_id']}/unclaimed", json={"note": "no match"},
                                     headers=tokens.headers(Role.agent))  # fmt: skip
        assert registered.status_code == 200, registered.text
        found = await http.get(f"{returns}/parcels/unclaimed", params={"tracking_number": "ZTO000111222"},
                               headers=tokens.headers(Role.agent))  # fmt: skip
        assert [p["id"] for p in found.json()["items"]] == [parcel["parcel_id"]]
