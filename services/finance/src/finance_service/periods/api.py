"""HTTP routes of periods and the monthly tables (finance role only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Response, status

from aftersales_chassis import ClockDep, Page, PageDep, SessionDep, problems, service_router
from aftersales_chassis.csv import CSV_DOCUMENT, csv_response
from aftersales_chassis.roles import FinanceOnly

from ..business_calendar import CalendarDep
from ..chart import Table
from ..months import parse_month
from .schemas import CheckIn, LineOut, PeriodOut
from .service import PeriodService
from .tables import CSV_COLUMNS, MonthlyTables

# Parsed by parse_month, so a bad month is the period.format rule (422) with the range.
MonthPath = Annotated[str, Path(description="The month, YYYY-MM (2000-01 to 2099-12).", examples=["2026-11"])]

router = service_router(prefix="/ledger", tags=["periods"])


async def get_periods(session: SessionDep, clock: ClockDep, calendar: CalendarDep) -> PeriodService:
    return PeriodService(session, clock, calendar.zone)


async def get_tables(session: SessionDep, clock: ClockDep) -> MonthlyTables:
    return MonthlyTables(session, clock)


Periods = Annotated[PeriodService, Depends(get_periods)]
Tables = Annotated[MonthlyTables, Depends(get_tables)]


@router.get("/periods", summary="Months with activity, newest first")
async def list_periods(periods: Periods, _: FinanceOnly, page: PageDep) -> Page[PeriodOut]:
    return await periods.list(page)


@router.get("/periods/{month}", summary="A month: its close report, or what closing it would find now")
async def get_period(month: MonthPath, periods: Periods, _: FinanceOnly) -> PeriodOut:
    return await periods.get(parse_month(month))


@router.post(
    "/periods/{month}/close",
    summary="Close a month (§8): it must have ended and balance; lists unreconciled lines",
    responses=problems(409),
)
async def close_period(month: MonthPath, periods: Periods, who: FinanceOnly) -> PeriodOut:
    return await periods.close(parse_month(month), by=who.subject)


@router.get("/tables/{table}/{month}", summary="Monthly table (C4/C5 abnormal refunds, T4/T5 return refunds) as JSON")
async def table_json(table: Table, month: MonthPath, tables: Tables, _: FinanceOnly, page: PageDep) -> Page[LineOut]:
    return await tables.page(table, parse_month(month), page)


@router.get(
    "/tables/{table}/{month}/csv",
    summary="The whole monthly table as CSV (a document, not paginated)",
    response_class=Response,
    responses=CSV_DOCUMENT,
)
async def table_csv(table: Table, month: MonthPath, tables: Tables, _: FinanceOnly) -> Response:
    rows = await tables.csv_rows(table, parse_month(month))
    return csv_response(rows, columns=CSV_COLUMNS, filename=f"{table.value}-{month}.csv")


@router.post(
    "/tables/lines/{transaction_id}/check",
    summary="Finance checked a table line (C5/T5)",
    status_code=status.HTTP_201_CREATED,
    responses=problems(404, 409),
)
async def check_line(transaction_id: uuid.UUID, body: CheckIn, tables: Tables, who: FinanceOnly) -> LineOut:
    return await tables.check(transaction_id, by=who.subject, note=body.note)
