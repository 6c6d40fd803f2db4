"""Merchant settlement (§8): exclusions with reasons, offsets, draft → approved → booked
once, roles; read models fed through the real consumer path."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_events.testing import consumer_record, wrap

from .kit import (
    cancellation_confirmed,
    cancellation_refund,
    cancelled,
    complaint,
    deposit_cancelled,
    feed,
    paid_order,
)

OCTOBER = datetime(2026, 10, 12, 3, tzinfo=UTC)


def _merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


def _alice(tokens: Tokens) -> dict[str, str]:
    return tokens.headers(Role.finance, subject="alice")


def _bob(tokens: Tokens) -> dict[str, str]:
    return tokens.headers(Role.finance, subject="bob")


async def _seed(runner: ConsumerRunner, merchant: str) -> dict[str, str]:
    ids = {name: f"{merchant}-{name}" for name in "ABCDEFG"}
    amounts = dict(zip("ABCDEFG", (10000, 2000, 3000, 4000, 5000, 6000, 7000), strict=True))
    for name, order_id in ids.items():
        await feed(runner, *paid_order(order_id, merchant, amounts[name], OCTOBER))
    opened_d, _ = complaint(ids["D"], merchant, OCTOBER)
    opened_e, closed_e = complaint(ids["E"], merchant, OCTOBER)
    await feed(
        runner,
        cancelled(ids["B"], merchant, OCTOBER),
        cancellation_refund(ids["C"], merchant, 3000, OCTOBER),
        opened_d,
        cancellation_confirmed(ids["G"], 7000, OCTOBER),
        deposit_cancelled(merchant, 1500, OCTOBER),
        deposit_cancelled(merchant, 900, OCTOBER, outcome="refused"),
    )
    # Out of order: E's close (recorded by tickets after its opening) arrives before it.
    for payload, recorded in ((closed_e, OCTOBER + timedelta(hours=1)), (opened_e, OCTOBER)):
        assert await runner.process(consumer_record(wrap(payload, subject=str(payload.complaint_id), at=recorded))) == (
            "applied"
        )
    return ids


async def _draft(client: httpx.AsyncClient, tokens: Tokens, merchant: str, month: str = "2026-10") -> httpx.Response:
    return await client.post("/settlements", json={"merchant_id": merchant, "month": month}, headers=_alice(tokens))


async def test_draft_explains_every_order_and_offsets(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = _merchant()
    ids = await _seed(runner, merchant)
    marked = await client.put(
        f"/settlements/orders/{ids['F']}/order-form", json={"missing": True}, headers=_alice(tokens)
    )
    assert marked.status_code == 200, marked.text
    response = await _draft(client, tokens, merchant)
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["status"] == "draft"
    assert {x["order_id"] for x in draft["included"]} == {ids["A"], ids["E"]}  # a closed complaint settles
    assert {x["order_id"]: x["reason"] for x in draft["excluded"]} == {
        ids["B"]: "cancelled",
        ids["C"]: "cancellation_pending",
        ids["D"]: "open_complaint",
        ids["G"]: "cancellation_pending",
    }
    assert sorted((x["kind"], x["reason"], x["amount_minor"]) for x in draft["offsets"]) == [
        ("deposit", "deposit_offset", 1500),
        ("withheld", "order_form_missing", 6000),
    ]
    assert (draft["gross_minor"], draft["withheld_minor"], draft["deposits_minor"], draft["net_minor"]) == (
        21000,
        6000,
        1500,
        13500,
    )
    csv = await client.get(f"/settlements/{draft['id']}/csv", headers=_alice(tokens))
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    # The platform's one CSV format (aftersales_chassis.csv): UTF-8 with a BOM, CRLF lines.
    assert csv.content.startswith(b"\xef\xbb\xbf")
    lines = csv.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "merchant_id,month,status,kind,order_id,deposit_id,reason,amount_minor"
    assert lines[-1] == ""  # every line, the last too, ends in CRLF
    assert len(lines) - 1 == 1 + 8  # seven orders and one deposit


async def test_draft_approve_book_once_and_balanced(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = _merchant()
    ids = await _seed(runner, merchant)
    first = (await _draft(client, tokens, merchant)).json()
    # A complaint opens on A after the draft: the stale draft is not approved.
    opened_a, _ = complaint(ids["A"], merchant, OCTOBER)
    await feed(runner, opened_a)
    stale = await client.post(f"/settlements/{first['id']}/approve", headers=_bob(tokens))
    assert stale.status_code == 409, stale.text
    # Recomputing replaces the draft: the same document, new lines.
    second = (await _draft(client, tokens, merchant)).json()
    assert second["id"] == first["id"]
    assert {x["order_id"]: x["reason"] for x in second["excluded"]}[ids["A"]] == "open_complaint"
    assert (second["net_minor"], second["deposits_minor"]) == (9500, 1500)  # E and F; D complained, A now too
    # Four eyes: the creator does not approve their own draft.
    own = await client.post(f"/settlements/{first['id']}/approve", headers=_alice(tokens))
    assert own.status_code == 422, own.text
    approved = await client.post(f"/settlements/{first['id']}/approve", headers=_bob(tokens))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "bob"
    # Approved is frozen: re-running the draft is refused.
    assert (await _draft(client, tokens, merchant)).status_code == 409
    booked = await client.post(f"/settlements/{first['id']}/book", headers=_alice(tokens))
    assert booked.status_code == 200, booked.text
    assert booked.json()["status"] == "booked"
    assert booked.json()["transaction_id"]
    assert (await client.post(f"/settlements/{first['id']}/book", headers=_alice(tokens))).status_code == 409
    assert (await _draft(client, tokens, merchant)).status_code == 409

    found = await client.get(
        "/ledger/transactions",
        params={"source": f"settlement:{merchant}:2026-10"},
        headers=_alice(tokens),
    )
    items = found.json()["items"]
    assert len(items) == 1
    postings: dict[str, int] = {}
    for posting in items[0]["postings"]:
        postings[posting["account_code"]] = postings.get(posting["account_code"], 0) + posting["amount_minor"]
    assert postings == {"merchant_payables": 11000, "cancellation_float": -1500, "cash": -9500}
    # One leg per included order, on the merchant's sub-ledger: each order's payable goes to zero.
    keyed = [p for p in items[0]["postings"] if p["account_code"] == "merchant_payables"]
    assert {p["merchant_id"] for p in keyed} == {merchant}
    assert {p["order_id"] for p in keyed} == {x["order_id"] for x in approved.json()["included"]}
    reconciliation = (await client.get("/ledger/reconciliation", headers=_alice(tokens))).json()
    assert reconciliation["ok"], reconciliation


async def test_settled_orders_and_deposits_are_not_settled_twice(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = _merchant()
    september = datetime(2026, 9, 15, 3, tzinfo=UTC)
    await feed(
        runner, *paid_order(f"{merchant}-S", merchant, 800, september), deposit_cancelled(merchant, 300, september)
    )
    sept = (await _draft(client, tokens, merchant, "2026-09")).json()
    assert (await client.post(f"/settlements/{sept['id']}/approve", headers=_bob(tokens))).status_code == 200
    await feed(runner, *paid_order(f"{merchant}-O", merchant, 1000, OCTOBER))
    october = (await _draft(client, tokens, merchant)).json()
    assert [x["order_id"] for x in october["included"]] == [f"{merchant}-O"]
    assert october["offsets"] == []
    assert october["net_minor"] == 1000


async def test_deposits_beyond_the_amount_due_are_carried_forward(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = _merchant()
    await feed(
        runner, *paid_order(f"{merchant}-A", merchant, 1000, OCTOBER), deposit_cancelled(merchant, 1200, OCTOBER)
    )
    draft = (await _draft(client, tokens, merchant)).json()
    assert [(x["reason"], x["amount_minor"]) for x in draft["offsets"]] == [("deposit_carried_forward", 1200)]
    assert (draft["deposits_minor"], draft["net_minor"]) == (0, 1000)


async def test_the_current_month_is_not_settled(client: httpx.AsyncClient, tokens: Tokens) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    assert (await _draft(client, tokens, _merchant(), month)).status_code == 422


async def test_roles(runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens) -> None:
    mine, theirs = _merchant(), _merchant()
    for merchant in (mine, theirs):
        await feed(runner, *paid_order(f"{merchant}-A", merchant, 100, OCTOBER))
        assert (await _draft(client, tokens, merchant)).status_code == 201
    listed = (await client.get("/settlements", params={"merchant_id": mine}, headers=_alice(tokens))).json()
    my_id = listed["items"][0]["id"]
    their_id = (await client.get("/settlements", params={"merchant_id": theirs}, headers=_alice(tokens))).json()[
        "items"
    ][0]["id"]

    agent = tokens.headers(Role.agent)
    assert (await client.get("/settlements", headers=agent)).status_code == 403
    assert (await client.get(f"/settlements/{my_id}", headers=agent)).status_code == 403
    assert (
        await client.post("/settlements", json={"merchant_id": mine, "month": "2026-10"}, headers=agent)
    ).status_code == 403
    assert (await client.get("/settlements")).status_code == 401

    merchant = tokens.headers(Role.merchant, merchant_id=mine)
    own = (await client.get("/settlements", params={"merchant_id": theirs, "limit": 200}, headers=merchant)).json()
    assert {s["merchant_id"] for s in own["items"]} == {mine}
    assert (await client.get(f"/settlements/{my_id}", headers=merchant)).status_code == 200
    assert (await client.get(f"/settlements/{my_id}/csv", headers=merchant)).status_code == 200
    assert (await client.get(f"/settlements/{their_id}", headers=merchant)).status_code == 404
    assert (await client.get(f"/settlements/{their_id}/csv", headers=merchant)).status_code == 404
    for path in ("/settlements", f"/settlements/{my_id}/approve", f"/settlements/{my_id}/book"):
        body = {"merchant_id": mine, "month": "2026-10"}
        assert (await client.post(path, json=body, headers=merchant)).status_code == 403
    assert (await client.get("/settlements", headers=tokens.headers(Role.merchant))).status_code == 403


async def test_list_is_paginated(runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens) -> None:
    for _ in range(3):
        merchant = _merchant()
        await feed(runner, *paid_order(f"{merchant}-A", merchant, 100, OCTOBER))
        await _draft(client, tokens, merchant)
    seen: list[str] = []
    params: dict[str, str] = {"limit": "2"}
    while True:
        page = (await client.get("/settlements", params=params, headers=_alice(tokens))).json()
        seen += [s["id"] for s in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == len(set(seen)) >= 3


@pytest.mark.parametrize("missing", [True, False])
async def test_order_form_mark_is_finance_only(client: httpx.AsyncClient, tokens: Tokens, missing: bool) -> None:
    path = f"/settlements/orders/unknown-{uuid.uuid4().hex[:6]}/order-form"
    assert (await client.put(path, json={"missing": missing}, headers=tokens.headers(Role.agent))).status_code == 403
    response = await client.put(path, json={"missing": missing}, headers=_alice(tokens))
    assert response.status_code == 200
    assert response.json()["order_form_missing"] is missing


@pytest.mark.parametrize("month", ["0000-01", "1999-12", "9999-12", "2026-13"])
async def test_a_settlement_month_outside_the_supported_range_is_refused(
    client: httpx.AsyncClient, tokens: Tokens, month: str
) -> None:
    response = await _draft(client, tokens, _merchant(), month)
    assert response.status_code == 422, response.text
    assert response.json()["rule"] == "period.format"
