"""Reports: the daily detail and monthly (T4) tables as JSON and CSV, the return rate."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from returns_service.reports.metrics import RETURN_RATE

from ..kit import open_return

# A month no other test files returns in: the figures below are this test's alone.
REPORT_DAY = datetime(2031, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


async def test_daily_and_monthly_tables_and_the_rate(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(REPORT_DAY)
    await open_return(client, tokens, lines=[{"sku": "SKU-TEA", "quantity": 1, "reason": "quality_problem"}],
                      requested_refund_minor=100)  # fmt: skip
    rejected = (await open_return(client, tokens))["id"]
    await client.post(f"/returns/{rejected}/reject", json={"reason": "no"}, headers=tokens.headers(Role.supervisor))

    daily = await client.get(
        "/reports/returns/daily", params={"day": "2031-03-10"}, headers=tokens.headers(Role.finance)
    )
    assert daily.status_code == 200
    assert len(daily.json()["rows"]) == 3  # 1 + 2 lines
    csv_response = await client.get("/reports/returns/daily", params={"day": "2031-03-10", "format": "csv"},
                                     headers=tokens.headers(Role.finance))  # fmt: skip
    # The platform's one CSV format (aftersales_chassis.csv): UTF-8 with a BOM, CRLF lines.
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    assert csv_response.headers["content-disposition"] == 'attachment; filename="returns-2031-03-10.csv"'
    csv_text = csv_response.content.decode("utf-8-sig")
    assert csv_text.count("\r\n") == 1 + 3
    reader = csv.DictReader(io.StringIO(csv_text, newline=""))
    rows = list(reader)
    assert {r["line_reason"] for r in rows} == {"quality_problem", "damaged_in_transit"}
    assert reader.fieldnames == list(daily.json()["rows"][0])  # the same columns as the JSON rows

    monthly = (await client.get("/reports/returns/monthly", params={"month": "2031-03"},
                                headers=tokens.headers(Role.supervisor))).json()  # fmt: skip
    assert monthly["returns_filed"] == 2
    assert monthly["by_state"] == {"requested": 1, "rejected": 1}
    assert monthly["units_by_reason"] == {"quality_problem": 1}

    # Units shipped in March 2031: none of the test orders (they ship in 2026), so the rate is 0 with no base.
    rate = (await client.get("/reports/returns/rate", params={"month": "2031-03", "by": "reason"},
                             headers=tokens.headers(Role.supervisor))).json()  # fmt: skip
    assert rate["units_returned"] == 1
    assert rate["target"] == 0.05


async def test_return_rate_counts_units_shipped_in_the_month(client: httpx.AsyncClient, tokens: Tokens,
                                                             clock: ManualClock) -> None:  # fmt: skip
    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    before = (await client.get("/reports/returns/rate", params={"month": "2026-11"},
                               headers=tokens.headers(Role.supervisor))).json()  # fmt: skip
    await open_return(client, tokens, lines=[{"sku": "SKU-CUP", "quantity": 1}], requested_refund_minor=0)
    after = (await client.get("/reports/returns/rate", params={"month": "2026-11"},
                              headers=tokens.headers(Role.supervisor))).json()  # fmt: skip
    assert after["units_shipped"] == before["units_shipped"] + 3  # the helper's order: 2 teas and 1 cup
    assert after["units_returned"] == before["units_returned"] + 1
    cup = next(g for g in after["groups"] if g["key"] == "SKU-CUP")
    assert cup["rate"] == pytest.approx(cup["returned_units"] / cup["base_units"])
    assert after["above_target"] == (after["rate"] >= 0.05)


@pytest.mark.parametrize("role", [Role.customer, Role.warehouse, Role.merchant, Role.service])
async def test_reports_are_for_back_office_roles(client: httpx.AsyncClient, tokens: Tokens, role: Role) -> None:
    response = await client.get("/reports/returns/monthly", params={"month": "2026-11"}, headers=tokens.headers(role))
    assert response.status_code == 403


async def test_a_bad_month_is_named(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.get("/reports/returns/monthly", params={"month": "2026-13"},
                                headers=tokens.headers(Role.finance))  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.month"


@pytest.mark.parametrize("path", ["/reports/returns/monthly", "/reports/returns/rate"])
@pytest.mark.parametrize("month", ["0000-01", "1999-12", "2100-01", "9999-12"])
async def test_a_month_outside_the_supported_range_is_named(
    client: httpx.AsyncClient, tokens: Tokens, path: str, month: str
) -> None:
    """Year 0000 and December 9999 once overflowed into 500s."""
    response = await client.get(path, params={"month": month}, headers=tokens.headers(Role.finance))
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["field"], error["message"]) == ("query.month", "must be a month from 2000-01 to 2099-12")


@pytest.mark.parametrize("month", ["2000-01", "2099-12"])
async def test_the_first_and_last_supported_months_are_reported(
    client: httpx.AsyncClient, tokens: Tokens, month: str
) -> None:
    for path in ("/reports/returns/monthly", "/reports/returns/rate"):
        for format in ("json", "csv"):
            response = await client.get(
                path, params={"month": month, "format": format}, headers=tokens.headers(Role.finance)
            )
            assert response.status_code == 200, response.text


@pytest.mark.parametrize(("day", "status"), [("1999-12-31", 422), ("2000-01-01", 200), ("2099-12-31", 200),
                                             ("2100-01-01", 422), ("9999-12-31", 422)])  # fmt: skip
async def test_the_daily_table_takes_a_day_in_the_supported_range(
    client: httpx.AsyncClient, tokens: Tokens, day: str, status: int
) -> None:
    response = await client.get("/reports/returns/daily", params={"day": day}, headers=tokens.headers(Role.agent))
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["errors"][0]["field"] == "query.day"


async def test_the_hourly_job_keeps_the_rate_gauge_current(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    # A time no other test runs jobs at: the runs each job made are kept in the session's database.
    clock.set(datetime(2032, 1, 5, 3, 0, 30, tzinfo=UTC))  # just after 11:00 in Shanghai
    assert (await app.state.sla_scheduler.tick()).jobs_run >= 1
    rate = (await client.get("/reports/returns/rate", params={"month": "2032-01"},
                             headers=tokens.headers(Role.supervisor))).json()  # fmt: skip
    assert RETURN_RATE.labels("all", "all")._value.get() == pytest.approx(rate["rate"])
