"""The ledger over HTTP: manual bookings once per reference, reversals instead of edits,
balances now and as of a day, the reconciliation check, limits under concurrency, roles."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens

from ..kit import balances, book

FINANCE = Role.finance


async def test_a_reference_books_once(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {
        "reference": uuid.uuid4().hex,
        "description": "manual",
        "effective_at": datetime.now(UTC).isoformat(),
        "legs": [{"account_code": "cash", "amount_minor": 300}, {"account_code": "sales", "amount_minor": -300}],
    }
    first = await client.post("/ledger/transactions", json=body, headers=tokens.headers(FINANCE))
    again = await client.post("/ledger/transactions", json=body, headers=tokens.headers(FINANCE))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["source"] == f"api:{body['reference']}"


@pytest.mark.parametrize(
    ("legs", "rule"),
    [
        ({"cash": 300, "sales": -299}, "ledger.balanced"),
        ({"cash": 300}, None),  # fewer than two legs: refused as a payload
    ],
)
async def test_unbalanced_bookings_are_refused(
    client: httpx.AsyncClient, tokens: Tokens, legs: dict[str, int], rule: str | None
) -> None:
    response = await book(client, tokens, legs)
    assert response.status_code == 422
    assert response.json().get("rule") == rule


async def test_currencies_never_mix(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await book(client, tokens, {"cash": 1, "sales": -1}, currency="USD")
    assert response.status_code == 422
    assert response.json()["rule"] == "ledger.one-currency"


async def test_a_reversal_mirrors_the_original_once(client: httpx.AsyncClient, tokens: Tokens) -> None:
    before = await balances(client, tokens)
    original = (await book(client, tokens, {"goodwill_expense": 700, "customer_refunds_payable": -700})).json()
    url = f"/ledger/transactions/{original['id']}/reverse"
    reversal = await client.post(url, json={"reason": "booked twice by hand"}, headers=tokens.headers(FINANCE))
    assert reversal.status_code == 201
    assert reversal.json()["reverses_id"] == original["id"]
    assert {p["account_code"]: p["amount_minor"] for p in reversal.json()["postings"]} == {
        "goodwill_expense": -700,
        "customer_refunds_payable": 700,
    }
    assert await balances(client, tokens) == before
    again = await client.post(url, json={"reason": "again"}, headers=tokens.headers(FINANCE))
    assert again.status_code == 409
    of_reversal = await client.post(
        f"/ledger/transactions/{reversal.json()['id']}/reverse", json={"reason": "x"}, headers=tokens.headers(FINANCE)
    )
    assert of_reversal.status_code == 422


async def test_balance_as_of_a_day_counts_only_up_to_that_day(client: httpx.AsyncClient, tokens: Tokens) -> None:
    code = f"asof_{uuid.uuid4().hex[:8]}"
    opened = await client.post(
        "/ledger/accounts", json={"code": code, "name": "as-of test", "type": "asset"}, headers=tokens.headers(FINANCE)
    )
    assert opened.status_code == 201
    now = datetime.now(UTC)
    await book(client, tokens, {code: 100, "sales": -100}, at=now - timedelta(days=3))
    await book(client, tokens, {code: 40, "sales": -40}, at=now - timedelta(days=1))
    await book(client, tokens, {code: -15, "sales": 15}, at=now)
    day = lambda d: (now - timedelta(days=d)).astimezone(UTC).date().isoformat()  # noqa: E731
    assert (await balances(client, tokens, as_of=day(5)))[code] == 0
    assert (await balances(client, tokens, as_of=day(2)))[code] == 100
    assert (await balances(client, tokens))[code] == 125


async def test_reconciliation_finds_no_discrepancy(client: httpx.AsyncClient, tokens: Tokens) -> None:
    await book(client, tokens, {"cash": 5, "sales": -5})
    found = (await client.get("/ledger/reconciliation", headers=tokens.headers(FINANCE))).json()
    assert found["ok"], found
    assert set(found["discrepancies"].values()) == {0}


async def test_limits_are_refused_when_the_balance_is_already_outside(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    code = f"lim_{uuid.uuid4().hex[:8]}"
    await client.post(
        "/ledger/accounts", json={"code": code, "name": "l", "type": "asset"}, headers=tokens.headers(FINANCE)
    )
    await book(client, tokens, {code: 50, "sales": -50})
    too_high = await client.put(
        f"/ledger/accounts/{code}/limits", json={"min_balance_minor": 60}, headers=tokens.headers(FINANCE)
    )
    assert too_high.status_code == 422
    ok = await client.put(
        f"/ledger/accounts/{code}/limits", json={"min_balance_minor": 0}, headers=tokens.headers(FINANCE)
    )
    assert ok.json()["min_balance_minor"] == 0


async def test_concurrent_postings_never_overdraw_a_limited_account(client: httpx.AsyncClient, tokens: Tokens) -> None:
    """50 debits of 30 race for a balance of 1000 with a floor of 0: exactly 33 win."""
    code = f"float_{uuid.uuid4().hex[:8]}"
    await client.post(
        "/ledger/accounts",
        json={"code": code, "name": "limited", "type": "asset", "min_balance_minor": 0},
        headers=tokens.headers(FINANCE),
    )
    assert (await book(client, tokens, {code: 1000, "sales": -1000})).status_code == 201
    responses = await asyncio.gather(*(book(client, tokens, {code: -30, "goodwill_expense": 30}) for _ in range(50)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 33
    assert codes.count(422) == 17
    assert {r.json()["rule"] for r in responses if r.status_code == 422} == {"ledger.balance-limit"}
    assert (await balances(client, tokens))[code] == 10
    assert (await client.get("/ledger/reconciliation", headers=tokens.headers(FINANCE))).json()["ok"]


async def test_accounts_are_paginated(client: httpx.AsyncClient, tokens: Tokens) -> None:
    first = (await client.get("/ledger/accounts", params={"limit": 3}, headers=tokens.headers(FINANCE))).json()
    assert len(first["items"]) == 3
    second = (
        await client.get(
            "/ledger/accounts", params={"limit": 3, "cursor": first["next_cursor"]}, headers=tokens.headers(FINANCE)
        )
    ).json()
    assert first["items"][-1]["code"] < second["items"][0]["code"]


FINANCE_ONLY = [
    ("GET", "/ledger/accounts"),
    ("POST", "/ledger/accounts"),
    ("PUT", "/ledger/accounts/cash/limits"),
    ("GET", "/ledger/balances"),
    ("GET", "/ledger/reconciliation"),
    ("GET", "/ledger/transactions"),
    ("POST", "/ledger/transactions"),
    ("POST", "/ledger/transactions/batch"),
    # A fixed id (no such row): pytest-xdist workers must collect the same test ids.
    ("POST", "/ledger/transactions/00000000-0000-4000-8000-000000000001/reverse"),
]


@pytest.mark.parametrize(("method", "path"), FINANCE_ONLY)
async def test_ledger_routes_are_finance_only(
    client: httpx.AsyncClient, tokens: Tokens, method: str, path: str
) -> None:
    for role in Role:
        response = await client.request(method, path, json={}, headers=tokens.headers(role))
        if role is Role.finance:
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
    assert (await client.request(method, path, json={})).status_code == 401


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00", "9999-12-31T23:59:59+00:00", "1999-12-31T23:59:59Z"])
async def test_a_booking_is_effective_at_an_instant_in_the_supported_range(
    client: httpx.AsyncClient, tokens: Tokens, at: str
) -> None:
    """Year 1 and year 9999 once overflowed into 500s; a naive timestamp is refused too."""
    body = {
        "reference": uuid.uuid4().hex,
        "description": "edge",
        "effective_at": at,
        "legs": [{"account_code": "cash", "amount_minor": 1}, {"account_code": "sales", "amount_minor": -1}],
    }
    response = await client.post("/ledger/transactions", json=body, headers=tokens.headers(FINANCE))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["body.effective_at"]


@pytest.mark.parametrize(("as_of", "status"), [("1999-12-31", 422), ("2000-01-01", 200), ("9999-12-31", 422)])
async def test_balances_as_of_a_day_in_the_supported_range(
    client: httpx.AsyncClient, tokens: Tokens, as_of: str, status: int
) -> None:
    response = await client.get("/ledger/balances", params={"as_of": as_of}, headers=tokens.headers(FINANCE))
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    "path",
    ["/ledger/periods/{month}", "/ledger/tables/return_refunds/{month}", "/ledger/tables/return_refunds/{month}/csv"],
)
@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13"])
async def test_a_month_outside_the_supported_range_is_the_period_rule(
    client: httpx.AsyncClient, tokens: Tokens, path: str, month: str
) -> None:
    """December 9999 once overflowed into a 500; year 1 was reported as month '1-01'."""
    response = await client.get(path.format(month=month), headers=tokens.headers(FINANCE))
    assert response.status_code == 422, response.text
    assert response.json()["rule"] == "period.format"
    assert month in response.json()["detail"]
    closing = await client.post(f"/ledger/periods/{month}/close", headers=tokens.headers(FINANCE))
    assert (closing.status_code, closing.json()["rule"]) == (422, "period.format")


@pytest.mark.parametrize(("amount", "status"), [(10**12, 201), (10**12 + 1, 422), (10**20, 422)])
async def test_a_leg_is_at_most_ten_billion_yuan(
    client: httpx.AsyncClient, tokens: Tokens, amount: int, status: int
) -> None:
    """1e20 once reached the driver and came back as a 409; two legs near 2^63 overflowed a balance."""
    debit, credit = (f"edge_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("asset", "revenue"))
    for code, kind in ((debit, "asset"), (credit, "revenue")):
        created = await client.post(
            "/ledger/accounts", json={"code": code, "name": "edge", "type": kind}, headers=tokens.headers(FINANCE)
        )
        assert created.status_code == 201, created.text
    response = await book(client, tokens, {debit: amount, credit: -amount})
    assert response.status_code == status, response.text
    if status == 422:
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields == {"body.legs[0].amount_minor", "body.legs[1].amount_minor"}


@pytest.mark.parametrize(("limit", "status"), [(10**17, 200), (10**17 + 1, 422), (-(10**17) - 1, 422)])
async def test_a_balance_limit_stays_within_what_a_balance_can_reach(
    client: httpx.AsyncClient, tokens: Tokens, limit: int, status: int
) -> None:
    code = f"edge_limit_{uuid.uuid4().hex[:8]}"
    await client.post(
        "/ledger/accounts", json={"code": code, "name": "l", "type": "asset"}, headers=tokens.headers(FINANCE)
    )
    key = "max_balance_minor" if limit > 0 else "min_balance_minor"
    response = await client.put(f"/ledger/accounts/{code}/limits", json={key: limit}, headers=tokens.headers(FINANCE))
    assert response.status_code == status, response.text
