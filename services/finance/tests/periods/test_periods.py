"""Monthly periods: closing freezes a month in the database, late events land in the next
open month with the day they belong to, the monthly tables carry finance's check marks."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from aftersales_chassis import Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_events.catalogue import returns as ret
from aftersales_events.catalogue import tickets as tix
from aftersales_events.testing import consumer_record, wrap

F = Role.finance


def _refund(at: datetime, amount: int = 1000) -> ret.RefundApproved:
    return ret.RefundApproved(
        refund_id=uuid.uuid4(), order_id="TB-P", amount_minor=amount, goods_minor=amount, freight_minor=0,
        currency="CNY", method="online", approved_by="sup", approved_at=at,
    )  # fmt: skip


def _abnormal(at: datetime) -> tix.AbnormalRefundApproved:
    return tix.AbnormalRefundApproved(
        case_id=uuid.uuid4(), abnormal_refund_id=uuid.uuid4(), order_id="TB-A", amount_minor=300, currency="CNY",
        approved_by="sup", approved_at=at,
    )  # fmt: skip


async def test_close_a_month_then_late_events_book_in_the_next_open_one(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database
) -> None:
    jan = datetime(2024, 1, 15, 4, tzinfo=UTC)
    await runner.process(consumer_record(wrap(_refund(jan))))
    await runner.process(consumer_record(wrap(_abnormal(jan))))

    preview = (await client.get("/ledger/periods/2024-01", headers=tokens.headers(F))).json()
    assert preview["status"] == "open"
    assert preview["report"]["balanced"]
    assert preview["report"]["ledger_reconciled"]
    assert len(preview["report"]["unreconciled"]) == 2

    lines = (await client.get("/ledger/tables/return_refunds/2024-01", headers=tokens.headers(F))).json()["items"]
    assert [line["status"] for line in lines] == ["booked"]
    checked = await client.post(
        f"/ledger/tables/lines/{lines[0]['transaction_id']}/check", json={"note": "ok"}, headers=tokens.headers(F)
    )
    assert checked.status_code == 201
    assert checked.json()["status"] == "checked"
    assert (
        await client.post(
            f"/ledger/tables/lines/{lines[0]['transaction_id']}/check", json={}, headers=tokens.headers(F)
        )
    ).status_code == 409

    closed = await client.post("/ledger/periods/2024-01/close", headers=tokens.headers(F))
    assert closed.status_code == 200, closed.text
    report = closed.json()["report"]
    assert closed.json()["status"] == "closed"
    assert [line["step"] for line in report["unreconciled"]] == ["C3B2"]
    assert (await client.post("/ledger/periods/2024-01/close", headers=tokens.headers(F))).status_code == 409

    late = wrap(_refund(datetime(2024, 1, 20, 4, tzinfo=UTC), amount=77))
    assert await runner.process(consumer_record(late)) == "applied"
    booked = (
        await client.get("/ledger/transactions", params={"source": f"event:{late.id}"}, headers=tokens.headers(F))
    ).json()["items"][0]
    assert booked["accounting_date"] == "2024-02-01"
    assert booked["details"]["belongs_to"] == "2024-01-20"
    feb = (await client.get("/ledger/tables/return_refunds/2024-02", headers=tokens.headers(F))).json()["items"]
    assert [(line["amount_minor"], line["belongs_to"]) for line in feb] == [(77, "2024-01-20")]

    abnormal_line = report["unreconciled"][0]["transaction_id"]
    refused = await client.post(f"/ledger/tables/lines/{abnormal_line}/check", json={}, headers=tokens.headers(F))
    assert refused.status_code == 409

    with pytest.raises(DBAPIError, match="is closed"):
        async with database.sessionmaker() as session, session.begin():
            await session.execute(
                text(
                    "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at,"
                    " accounting_date) VALUES (:id, :source, 'x', 'CNY', now(), now(), '2024-01-31')"
                ),
                {"id": uuid.uuid4(), "source": f"test:{uuid.uuid4()}"},
            )


async def test_a_month_that_has_not_ended_cannot_close(client: httpx.AsyncClient, tokens: Tokens) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    response = await client.post(f"/ledger/periods/{month}/close", headers=tokens.headers(F))
    assert response.status_code == 422
    assert response.json()["rule"] == "period.not-ended"


async def test_tables_export_as_csv(runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens) -> None:
    at = datetime(2023, 6, 10, 4, tzinfo=UTC)
    for _ in range(3):
        await runner.process(consumer_record(wrap(_abnormal(at))))
    response = await client.get("/ledger/tables/abnormal_refunds/2023-06/csv", headers=tokens.headers(F))
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    # The platform's one CSV format (aftersales_chassis.csv): UTF-8 with a BOM, CRLF lines.
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.count(b"\r\n") == 1 + 3
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert [(r["step"], r["amount_minor"], r["status"]) for r in rows] == [("C3B2", "300", "booked")] * 3
    first = (
        await client.get("/ledger/tables/abnormal_refunds/2023-06", params={"limit": 2}, headers=tokens.headers(F))
    ).json()
    rest = (
        await client.get(
            "/ledger/tables/abnormal_refunds/2023-06",
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=tokens.headers(F),
        )
    ).json()
    assert len(first["items"]) + len(rest["items"]) == 3
    assert rest["next_cursor"] is None


async def test_a_bad_month_is_a_rule_violation(client: httpx.AsyncClient, tokens: Tokens) -> None:
    assert (await client.get("/ledger/periods/2024-13", headers=tokens.headers(F))).status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/ledger/periods"),
        ("GET", "/ledger/periods/2020-01"),
        ("POST", "/ledger/periods/2020-01/close"),
        ("GET", "/ledger/tables/return_refunds/2020-01"),
        ("GET", "/ledger/tables/abnormal_refunds/2020-01/csv"),
        # A fixed id (no such row): pytest-xdist workers must collect the same test ids.
        ("POST", "/ledger/tables/lines/00000000-0000-4000-8000-000000000001/check"),
    ],
)
async def test_period_routes_are_finance_only(
    client: httpx.AsyncClient, tokens: Tokens, method: str, path: str
) -> None:
    for role in Role:
        response = await client.request(method, path, json={}, headers=tokens.headers(role))
        assert (response.status_code == 403) is (role is not Role.finance), (role, response.status_code)
    assert (await client.request(method, path, json={})).status_code == 401
