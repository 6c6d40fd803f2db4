"""§7.3: booked at least 3 working days ahead (the problem names the earliest day), the
merchant asked on the booking day, its answer recorded once with DepositCancelled, the daily
ledger as JSON and CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens

from ..kit import outbox


def _body(cancel_on: str, **more: Any) -> dict[str, Any]:
    return {"deposit_id": f"DEP-{uuid.uuid4().hex[:8]}", "merchant_id": "M-001", "amount_minor": 50_000,
            "cancel_on": cancel_on, **more}  # fmt: skip


async def test_booked_three_working_days_ahead_at_the_limit(client: httpx.AsyncClient, tokens: Tokens) -> None:
    agent = tokens.headers(Role.agent, subject="ann")
    # Booked Tuesday 2026-11-24: the third working day after is Friday 11-27.
    early = await client.post("/deposit-cancellations", json=_body("2026-11-26"), headers=agent)
    assert (early.status_code, early.json()["rule"], early.json()["earliest_allowed"]) == (
        422, "§7.3.three-working-days-ahead", "2026-11-27",
    )  # fmt: skip
    booked = await client.post("/deposit-cancellations", json=_body("2026-11-27"), headers=agent)
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert (body["state"], body["booked_on"], body["allowed_actions"]) == (
        "awaiting_merchant",
        "2026-11-24",
        ["record"],
    )
    assert datetime.fromisoformat(body["merchant_due_at"]) == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 18:00 today


async def test_a_friday_booking_counts_working_days_over_the_weekend(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))  # Friday
    refused = await client.post("/deposit-cancellations", json=_body("2026-12-01"), headers=tokens.headers(Role.agent))
    assert refused.json()["earliest_allowed"] == "2026-12-02"  # Mon, Tue, Wed


async def test_the_merchant_answers_once_and_finance_hears_of_it(
    client: httpx.AsyncClient, tokens: Tokens, database: Database
) -> None:
    made = (
        await client.post("/deposit-cancellations", json=_body("2026-12-01"), headers=tokens.headers(Role.agent))
    ).json()
    path = f"/deposit-cancellations/{made['id']}/outcome"
    other = tokens.headers(Role.merchant, merchant_id="M-999")
    assert (await client.post(path, json={"outcome": "cancelled"}, headers=other)).status_code == 403
    assert (await client.get(f"/deposit-cancellations/{made['id']}", headers=other)).status_code == 404
    mine = tokens.headers(Role.merchant, subject="m-001-ops", merchant_id="M-001")
    tasks = (await client.get("/deposit-cancellations/awaiting-merchant", headers=mine)).json()
    assert made["id"] in {t["id"] for t in tasks}
    assert all(t["merchant_id"] == "M-001" for t in tasks)
    no_reason = await client.post(path, json={"outcome": "refused"}, headers=mine)
    assert (no_reason.status_code, no_reason.json()["rule"]) == (422, "§7.3.refusal-reason")
    refused = await client.post(path, json={"outcome": "refused", "reason": "goods already made"}, headers=mine)
    assert (refused.status_code, refused.json()["state"]) == (200, "refused")
    again = await client.post(path, json={"outcome": "cancelled"}, headers=mine)
    assert again.status_code == 409
    [(kind, data)] = await outbox(database, made["id"])
    assert kind == "DepositCancelled"
    assert (data["outcome"], data["reason"], data["amount_minor"], data["merchant_id"]) == (
        "refused", "goods already made", 50_000, "M-001",
    )  # fmt: skip


async def test_the_daily_ledger_in_json_and_csv(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = _body("2026-12-01")
    await client.post("/deposit-cancellations", json=body, headers=tokens.headers(Role.agent))
    finance = tokens.headers(Role.finance)
    ledger = (await client.get("/deposit-cancellations/ledger/2026-11-24", headers=finance)).json()
    assert body["deposit_id"] in {row["deposit_id"] for row in ledger["rows"]}
    as_csv = await client.get("/deposit-cancellations/ledger/2026-11-24", params={"format": "csv"}, headers=finance)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert body["deposit_id"] in {row["deposit_id"] for row in rows}
    assert (
        await client.get("/deposit-cancellations/ledger/2026-11-24", headers=tokens.headers(Role.customer))
    ).status_code == 403


async def test_roles_and_bad_input(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = _body("2026-12-01")
    for role in (Role.customer, Role.merchant, Role.finance):
        assert (await client.post("/deposit-cancellations", json=body, headers=tokens.headers(role))).status_code == 403
    zero = await client.post(
        "/deposit-cancellations", json={**body, "amount_minor": 0}, headers=tokens.headers(Role.agent)
    )
    assert zero.status_code == 422
    first = await client.post("/deposit-cancellations", json=body, headers=tokens.headers(Role.agent))
    twice = await client.post("/deposit-cancellations", json=body, headers=tokens.headers(Role.agent))
    assert (first.status_code, twice.status_code) == (201, 409)
