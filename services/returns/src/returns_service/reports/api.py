"""Report routes: JSON by default, CSV with ``format=csv``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import PlainTextResponse

from aftersales_chassis import ClockDep, Day, Month, Principal, SessionDep, allow, service_router
from aftersales_chassis.roles import FINANCE, STAFF

from .service import ReportsService, to_csv

router = service_router(prefix="/reports", tags=["reports"])
Reporting = Annotated[Principal, Depends(allow(*STAFF, *FINANCE))]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]
MonthQuery = Annotated[Month, Query(description="The month, YYYY-MM.")]


async def _service(request: Request, session: SessionDep) -> ReportsService:
    # Day and month buckets follow the business calendar's zone.
    return ReportsService(session, request.app.state.calendar_provider.base.zone)


Reports = Annotated[ReportsService, Depends(_service)]


def _csv(rows: list[dict[str, Any]], name: str) -> PlainTextResponse:
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    return PlainTextResponse(to_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/returns/daily", summary="Daily return detail table (one row per returned line)")
async def daily(
    reports: Reports, _: Reporting, clock: ClockDep, day: Day | None = None, format: Format = "json"
) -> Any:
    """Roles: agent, supervisor, finance. `day` in the business calendar's zone (default: today)."""
    wanted = day or clock.now().astimezone(reports.zone).date()
    rows = await reports.daily_detail(wanted)
    return _csv(rows, f"returns-{wanted}") if format == "csv" else {"day": wanted.isoformat(), "rows": rows}


@router.get("/returns/monthly", summary="T4 · Monthly return/refund summary and detail")
async def monthly(reports: Reports, _: Reporting, month: MonthQuery, format: Format = "json") -> Any:
    """Roles: agent, supervisor, finance. JSON: the summary and the lines; CSV: the lines."""
    lines = await reports.monthly_lines(month)
    if format == "csv":
        return _csv(lines, f"returns-{month:%Y-%m}")
    return {**await reports.monthly_summary(month), "lines": lines}


@router.get("/returns/rate", summary="Return rate by month, product or reason (target < 5%)")
async def rate(
    reports: Reports,
    _: Reporting,
    month: MonthQuery,
    by: Literal["product", "reason"] = "product",
    format: Format = "json",
) -> Any:
    result = await reports.return_rate(month, by)
    return _csv(result["groups"], f"return-rate-{month:%Y-%m}-{by}") if format == "csv" else result
