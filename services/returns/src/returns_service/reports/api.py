"""Report routes: JSON by default, CSV with ``format=csv``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request

from aftersales_chassis import ClockDep, Day, Month, Principal, SessionDep, allow, service_router
from aftersales_chassis.csv import JSON_OR_CSV, JsonOrCsv, csv_response
from aftersales_chassis.roles import FINANCE, STAFF

from .repository import DETAIL_COLUMNS
from .service import RATE_COLUMNS, ReportsService

router = service_router(prefix="/reports", tags=["reports"])
Reporting = Annotated[Principal, Depends(allow(*STAFF, *FINANCE))]
MonthQuery = Annotated[Month, Query(description="The month, YYYY-MM.")]


async def _service(request: Request, session: SessionDep) -> ReportsService:
    # Day and month buckets follow the business calendar's zone.
    return ReportsService(session, request.app.state.calendar_provider.base.zone)


Reports = Annotated[ReportsService, Depends(_service)]


@router.get("/returns/daily", summary="Daily return detail table (one row per returned line)", responses=JSON_OR_CSV)
async def daily(
    reports: Reports, _: Reporting, clock: ClockDep, day: Day | None = None, format: JsonOrCsv = "json"
) -> Any:
    """Roles: agent, supervisor, finance. `day` in the business calendar's zone (default: today)."""
    wanted = day or clock.now().astimezone(reports.zone).date()
    rows = await reports.daily_detail(wanted)
    if format == "csv":
        return csv_response(rows, columns=DETAIL_COLUMNS, filename=f"returns-{wanted}.csv")
    return {"day": wanted.isoformat(), "rows": rows}


@router.get("/returns/monthly", summary="T4 · Monthly return/refund summary and detail", responses=JSON_OR_CSV)
async def monthly(reports: Reports, _: Reporting, month: MonthQuery, format: JsonOrCsv = "json") -> Any:
    """Roles: agent, supervisor, finance. JSON: the summary and the lines; CSV: the lines."""
    lines = await reports.monthly_lines(month)
    if format == "csv":
        return csv_response(lines, columns=DETAIL_COLUMNS, filename=f"returns-{month:%Y-%m}.csv")
    return {**await reports.monthly_summary(month), "lines": lines}


@router.get("/returns/rate", summary="Return rate by month, product or reason (target < 5%)", responses=JSON_OR_CSV)
async def rate(
    reports: Reports,
    _: Reporting,
    month: MonthQuery,
    by: Literal["product", "reason"] = "product",
    format: JsonOrCsv = "json",
) -> Any:
    result = await reports.return_rate(month, by)
    if format == "csv":
        return csv_response(result["groups"], columns=RATE_COLUMNS, filename=f"return-rate-{month:%Y-%m}-{by}.csv")
    return result
