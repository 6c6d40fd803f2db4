"""Report routes: JSON by default, CSV with ``format=csv``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import PlainTextResponse

from aftersales_chassis import ClockDep, Principal, Role, SessionDep, allow, service_router

from .service import ReportsService, to_csv

router = service_router(prefix="/reports", tags=["reports"])
BackOffice = Annotated[Principal, Depends(allow(Role.supervisor, Role.finance, Role.agent))]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]


async def _service(request: Request, session: SessionDep) -> ReportsService:
    # Day and month buckets follow the business calendar's zone.
    return ReportsService(session, request.app.state.calendar_provider.base.zone)


Reports = Annotated[ReportsService, Depends(_service)]


def _month(value: str) -> date:
    return date.fromisoformat(f"{value}-01")


def _csv(rows: list[dict[str, Any]], name: str) -> PlainTextResponse:
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    return PlainTextResponse(to_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/returns/daily", summary="Daily return detail table (one row per returned line)")
async def daily(
    reports: Reports, _: BackOffice, clock: ClockDep, day: date | None = None, format: Format = "json"
) -> Any:
    """Roles: agent, supervisor, finance. `day` in the business calendar's zone (default: today)."""
    wanted = day or clock.now().astimezone(reports.zone).date()
    rows = await reports.daily_detail(wanted)
    return _csv(rows, f"returns-{wanted}") if format == "csv" else {"day": wanted.isoformat(), "rows": rows}


@router.get("/returns/monthly", summary="T4 · Monthly return/refund summary and detail")
async def monthly(reports: Reports, _: BackOffice, month: Month, format: Format = "json") -> Any:
    """Roles: agent, supervisor, finance. JSON: the summary and the lines; CSV: the lines."""
    first = _month(month)
    lines = await reports.monthly_lines(first)
    if format == "csv":
        return _csv(lines, f"returns-{month}")
    return {**await reports.monthly_summary(first), "lines": lines}


@router.get("/returns/rate", summary="Return rate by month, product or reason (target < 5%)")
async def rate(
    reports: Reports, _: BackOffice, month: Month, by: Literal["product", "reason"] = "product", format: Format = "json"
) -> Any:
    result = await reports.return_rate(_month(month), by)
    return _csv(result["groups"], f"return-rate-{month}-{by}") if format == "csv" else result
