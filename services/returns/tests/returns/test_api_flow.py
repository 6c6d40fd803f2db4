"""The T1A2 → T1A3 → T1A5 → T2A flow over HTTP against the real database."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import Role
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import Tokens

from ..kit import known_order, open_return, received_return


async def _outbox_types(database_url: str, return_id: str) -> list[str]:
    engine = create_async_engine(asyncpg_url(database_url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT event_type FROM outbox WHERE message_key = :key ORDER BY id"), {"key": return_id}
            )
            return [row[0].split(".")[2] for row in rows]
    finally:
        await engine.dispose()


async def test_full_flow_records_history_and_events(client: httpx.AsyncClient, tokens: Tokens, returns_db: str) -> None:
    received = await received_return(client, tokens)
    rid = received["id"]
    assert received["state"] == "received"
    assert [line["received_quantity"] for line in received["lines"]] == [2, 1]
    refund = await client.post(
        f"/returns/{rid}/refund",
        json={"amount_minor": 17100, "freight_minor": 1200, "method": "online"},
        headers=tokens.headers(Role.supervisor),
    )
    assert refund.status_code == 200, refund.text
    assert refund.json()["state"] == "refunded"
    assert refund.json()["allowed_actions"] == ["stock-in"]
    stocked = await client.post(f"/returns/{rid}/stock-in", headers=tokens.headers(Role.warehouse))
    assert stocked.json()["state"] == "stocked_in"
    assert stocked.json()["allowed_actions"] == []

    history = (await client.get(f"/returns/{rid}/history", headers=tokens.headers(Role.agent))).json()
    assert [(h["step"], h["to_state"]) for h in history] == [
        ("T1A2", "requested"),
        ("T1A3", "approved"),
        ("T1A5", "received"),
        ("T2A", "refunded"),
        ("T1B3", "stocked_in"),
    ]
    assert history[1]["actor"] == "test-supervisor"
    # RefundIssued comes from the payment consumer, on its own time: checked in test_refunds.py.
    assert [t for t in await _outbox_types(returns_db, rid) if t != "RefundIssued"] == [
        "ReturnRequested",
        "ReturnApproved",
        "ReturnReceived",
        "RefundApproved",
        "ItemsStockedIn",
    ]


async def test_rejection_needs_a_reason_and_ends_the_return(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await open_return(client, tokens))["id"]
    no_reason = await client.post(f"/returns/{rid}/reject", json={}, headers=tokens.headers(Role.supervisor))
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "body.reason"
    rejected = await client.post(
        f"/returns/{rid}/reject", json={"reason": "outside window"}, headers=tokens.headers(Role.supervisor)
    )
    assert rejected.json()["state"] == "rejected"
    again = await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    assert again.status_code == 409
    assert again.json()["current_state"] == "rejected"
    assert again.json()["allowed_actions"] == []


async def test_illegal_transition_is_409_with_allowed_actions(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await open_return(client, tokens))["id"]
    early = await client.post(
        f"/returns/{rid}/refund", json={"amount_minor": 100}, headers=tokens.headers(Role.supervisor)
    )
    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"
    assert early.json()["current_state"] == "requested"
    assert early.json()["allowed_actions"] == ["approve", "reject", "cancel"]


async def test_partial_receipt_caps_the_refund(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await open_return(client, tokens))["id"]
    await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    receipt = await client.post(
        f"/returns/{rid}/receipt",
        json={"lines": [{"sku": "SKU-TEA", "received_quantity": 1}]},
        headers=tokens.headers(Role.warehouse),
    )
    assert [line["received_quantity"] for line in receipt.json()["lines"]] == [1, 0]
    over = await client.post(
        f"/returns/{rid}/refund", json={"amount_minor": 6451}, headers=tokens.headers(Role.supervisor)
    )
    assert over.status_code == 422
    assert over.json()["rule"] == "T2A.refund-within-received"
    at_limit = await client.post(
        f"/returns/{rid}/refund", json={"amount_minor": 6450}, headers=tokens.headers(Role.supervisor)
    )
    assert at_limit.status_code == 200


async def test_receipt_of_more_than_returned_is_refused(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await open_return(client, tokens))["id"]
    await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    receipt = await client.post(
        f"/returns/{rid}/receipt",
        json={"lines": [{"sku": "SKU-TEA", "received_quantity": 3}]},
        headers=tokens.headers(Role.warehouse),
    )
    assert receipt.status_code == 422
    assert receipt.json()["rule"] == "T1A5.received-within-returned"
    current = await client.get(f"/returns/{rid}", headers=tokens.headers(Role.agent))
    assert current.json()["state"] == "approved"  # nothing half-written


@pytest.mark.parametrize(
    ("payer", "freight", "status"),
    [("shop", 1200, 200), ("shop", 1201, 422), ("customer", 1, 422), ("customer", 0, 200)],
)
async def test_freight_is_refundable_only_when_the_shop_bears_it(
    client: httpx.AsyncClient, tokens: Tokens, payer: str, freight: int, status: int
) -> None:
    rid = (await received_return(client, tokens, freight_payer=payer, requested_refund_minor=100))["id"]
    response = await client.post(
        f"/returns/{rid}/refund",
        json={"amount_minor": 15900 + freight, "freight_minor": freight},
        headers=tokens.headers(Role.supervisor),
    )
    assert response.status_code == status, response.text


@pytest.mark.parametrize(("requested", "status"), [(17100, 201), (17101, 422)])
async def test_requested_refund_is_capped_at_lines_plus_freight(
    client: httpx.AsyncClient, tokens: Tokens, requested: int, status: int
) -> None:
    from ..kit import known_order, new_return_body

    body = new_return_body(await known_order(client, tokens), requested_refund_minor=requested)
    response = await client.post("/returns", json=body, headers=tokens.headers(Role.agent))
    assert response.status_code == status
    if status == 422:
        assert response.json()["rule"] == "T1A2.refund-within-order-value"


async def test_unknown_return_is_404_problem(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.get(f"/returns/{uuid.uuid4()}", headers=tokens.headers(Role.agent))
    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")


async def test_list_filters_and_pages(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order = await known_order(client, tokens)
    for sku in ("SKU-TEA", "SKU-TEA", "SKU-CUP"):
        await open_return(
            client, tokens, order_id=order, lines=[{"sku": sku, "quantity": 1}], requested_refund_minor=100
        )
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"order_id": order, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/returns", params=params, headers=tokens.headers(Role.agent))).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3
    filtered = await client.get(
        "/returns", params={"order_id": order, "state": "approved"}, headers=tokens.headers(Role.agent)
    )
    assert filtered.json()["items"] == []


async def test_receipt_records_damaged_and_missing_units(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await open_return(client, tokens))["id"]
    await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    too_damaged = await client.post(
        f"/returns/{rid}/receipt",
        json={"lines": [{"sku": "SKU-TEA", "received_quantity": 1, "damaged_quantity": 2}]},
        headers=tokens.headers(Role.warehouse),
    )
    assert too_damaged.status_code == 422
    assert too_damaged.json()["rule"] == "T1A5.damaged-within-received"
    receipt = await client.post(
        f"/returns/{rid}/receipt",
        json={"lines": [{"sku": "SKU-TEA", "received_quantity": 2, "damaged_quantity": 1}]},
        headers=tokens.headers(Role.warehouse),
    )
    lines = {line["sku"]: line for line in receipt.json()["lines"]}
    assert (lines["SKU-TEA"]["received_quantity"], lines["SKU-TEA"]["damaged_quantity"]) == (2, 1)
    assert lines["SKU-CUP"]["received_quantity"] == 0  # missing: returned 1, received 0
