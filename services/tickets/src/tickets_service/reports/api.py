"""HTTP routes of the reports (PROCESSES.md §4, §9). Thin: roles declared, the use case called.
JSON by default, ``?format=csv`` for the CSV document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from aftersales_chassis import ClockDep, Day, Month, PageDep, Principal, Role, SessionDep, allow, service_router
from aftersales_chassis.csv import JSON_OR_CSV, JsonOrCsv, csv_response
from aftersales_chassis.dates import Quarter, Week
from aftersales_chassis.roles import MERCHANT, SUPERVISOR, SupervisorOnly

from . import csv_rows, schemas
from .service import ReportService

router = service_router(prefix="/reports", tags=["reports"])


async def _service(request: Request, session: SessionDep, clock: ClockDep) -> ReportService:
    calendar = await request.app.state.calendar_provider.current(session)
    return ReportService(session, clock, calendar.zone, request.app.state.db.sessionmaker)


Reports = Annotated[ReportService, Depends(_service)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many merchants and major complaints to list.")]
CooperationReader = Annotated[Principal, Depends(allow(*SUPERVISOR, *MERCHANT))]


@router.get(
    "/complaints/daily",
    response_model=schemas.DailyReport,
    summary="§4 · 每日客诉统计: daily complaint statistics",
    responses=JSON_OR_CSV,
)
async def daily(
    service: Reports,
    _: SupervisorOnly,
    first: Annotated[Day, Query(alias="from", description="First local day, e.g. 2026-11-01.")],
    last: Annotated[Day, Query(alias="to", description="Last local day, inclusive (at most 366 days).")],
    format: JsonOrCsv = "json",
) -> Any:
    """Roles: supervisor. Per day of the business calendar's zone (Asia/Shanghai by default):
    complaints received (merged duplicates apart), major, closed, by channel and priority, and the
    complaint clocks that breached that day by step. `to` before `from`, or more than 366 days:
    422 `§9.report-range`."""
    report = await service.daily(service.days(first, last))
    if format == "csv":
        return csv_response(csv_rows.daily(report), columns=csv_rows.DAILY_COLUMNS,
                            filename=f"complaints-daily-{first}-{last}.csv")  # fmt: skip
    return report


@router.get(
    "/complaints/anomalies/{month}",
    response_model=schemas.AnomalySummary,
    summary="§3 · 每月异常汇总: the monthly anomaly summary",
    responses=JSON_OR_CSV,
)
async def anomalies(service: Reports, _: SupervisorOnly, month: Month, format: JsonOrCsv = "json") -> Any:
    """Roles: supervisor. The month (calendar's zone): after-sale cases opened by kind and
    liability, abnormal refunds approved (C3B2) by liability and currency, tickets' clocks that
    breached, by step."""
    report = await service.anomalies(service.month(month))
    if format == "csv":
        return csv_response(csv_rows.anomalies(report), columns=csv_rows.ANOMALY_COLUMNS,
                            filename=f"anomalies-{report.period}.csv")  # fmt: skip
    return report


@router.get(
    "/complaints/weekly/{week}",
    response_model=schemas.Weekly,
    summary="§4 · Weekly report: major and unresolved complaints, merchants' cooperation",
    responses=JSON_OR_CSV,
)
async def weekly(
    service: Reports, _: SupervisorOnly, week: Week, page: PageDep, limit: Limit = 50, format: JsonOrCsv = "json"
) -> Any:
    """Roles: supervisor. The ISO week (Monday 00:00 to Sunday 24:00 in the calendar's zone):
    counts, the week's major complaints, the complaints received by its end still unresolved with
    their progress (owner, replies, breached steps; paged by `limit`/`cursor` of the page
    parameters), and each merchant's cooperation on its public complaints (§4.4)."""
    report = await service.weekly(service.week(week), page, limit)
    if format == "csv":
        return csv_response(csv_rows.weekly(report), columns=csv_rows.WEEKLY_COLUMNS,
                            filename=f"complaints-weekly-{report.period}.csv")  # fmt: skip
    return report


@router.get(
    "/complaints/monthly/{month}",
    response_model=schemas.Analysis,
    summary="§4 · Monthly analysis",
    responses=JSON_OR_CSV,
)
async def monthly(
    service: Reports, _: SupervisorOnly, month: Month, limit: Limit = 50, format: JsonOrCsv = "json"
) -> Any:
    """Roles: supervisor. Totals by category, channel, brand and priority; merchant ranking
    (most complained about first); major-complaint alerts; on-time % by step. The red/black
    list is nominated from it (`/red-black-lists`)."""
    report = await service.analysis(service.month(month), limit)
    if format == "csv":
        return csv_response(csv_rows.analysis(report), columns=csv_rows.ANALYSIS_COLUMNS,
                            filename=f"complaints-monthly-{report.period}.csv")  # fmt: skip
    return report


@router.get(
    "/complaints/quarterly/{quarter}",
    response_model=schemas.Analysis,
    summary="§9 · Quarterly roll-up",
    responses=JSON_OR_CSV,
)
async def quarterly(
    service: Reports, _: SupervisorOnly, quarter: Quarter, limit: Limit = 50, format: JsonOrCsv = "json"
) -> Any:
    """Roles: supervisor. The monthly analysis over the quarter's three months, with each month's totals."""
    report = await service.analysis(service.quarter(quarter), limit)
    if format == "csv":
        return csv_response(csv_rows.analysis(report), columns=csv_rows.ANALYSIS_COLUMNS,
                            filename=f"complaints-quarterly-{report.period}.csv")  # fmt: skip
    return report


@router.get(
    "/merchant-cooperation/{week}",
    response_model=schemas.Cooperation,
    summary="§4 · Merchants' cooperation in a week",
    responses=JSON_OR_CSV,
)
async def cooperation(service: Reports, actor: CooperationReader, week: Week, format: JsonOrCsv = "json") -> Any:
    """Roles: supervisor (every merchant), merchant (its own figures only, by the merchant id of
    its token). Public complaints, reply times, §4.4 on-time % and breaches."""
    merchant_id = None if actor.has(Role.supervisor) else (actor.merchant_id or "\x00none")
    report = await service.cooperation(service.week(week), merchant_id)
    if format == "csv":
        return csv_response(csv_rows.cooperation(report), columns=csv_rows.MERCHANT_COLUMNS,
                            filename=f"merchant-cooperation-{report.period}.csv")  # fmt: skip
    return report
