"""Closing a month: it must have ended, balance, and reconcile; once closed the database
refuses any posting dated in it (later events land in the next open month)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, InvalidTransition, Page, PageParams, RuleViolation, page_of

from ..chart import BUSINESS_ZONE
from ..ledger.booking import next_month
from ..ledger.models import LedgerPeriod, LedgerTransaction
from ..ledger.service import LedgerReader
from .schemas import CloseReport, PeriodOut
from .tables import MonthlyTables


class PeriodService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.reader = LedgerReader(session, clock)
        self.tables = MonthlyTables(session, clock)

    async def list(self, page: PageParams) -> Page[PeriodOut]:
        query = select(LedgerPeriod).order_by(LedgerPeriod.month.desc()).limit(page.fetch_size)
        if (after := page.after(date)) is not None:
            query = query.where(LedgerPeriod.month < after[0])
        rows = list(await self.session.scalars(query))
        return page_of(rows, page, key=lambda p: (p.month,), item=_out)

    async def get(self, month: date) -> PeriodOut:
        period = await self.session.get(LedgerPeriod, month)
        if period is not None and period.status == "closed":
            return _out(period)
        return PeriodOut(
            month=f"{month:%Y-%m}", status="open", closed_at=None, closed_by=None, report=await self.report(month)
        )

    async def report(self, month: date) -> CloseReport:
        in_month = (LedgerTransaction.accounting_date >= month) & (
            LedgerTransaction.accounting_date < next_month(month)
        )
        transactions = await self.session.scalar(select(func.count()).where(in_month))
        late = await self.session.scalar(
            select(func.count()).where(in_month, LedgerTransaction.details.has_key("belongs_to"))
        )
        totals = await self.reader.month_totals(month)
        return CloseReport(
            month=f"{month:%Y-%m}",
            balanced=all(total == 0 for total in totals.values()),
            totals_by_currency=totals,
            ledger_reconciled=(await self.reader.reconciliation()).ok,
            transactions=int(transactions or 0),
            late_entries=int(late or 0),
            unreconciled=await self.tables.unreconciled(month),
        )

    async def close(self, month: date, *, by: str) -> PeriodOut:
        now = self.clock.now()
        if now < datetime.combine(next_month(month), datetime.min.time(), BUSINESS_ZONE):
            raise RuleViolation("period.not-ended", f"{month:%Y-%m} has not ended yet")
        await self.session.execute(pg_insert(LedgerPeriod).values(month=month).on_conflict_do_nothing())
        # FOR UPDATE waits for bookings in flight into this month (they hold FOR SHARE).
        period = await self.session.scalar(select(LedgerPeriod).where(LedgerPeriod.month == month).with_for_update())
        assert period is not None
        if period.status == "closed":
            raise InvalidTransition("close", "closed", [])
        report = await self.report(month)
        if not (report.balanced and report.ledger_reconciled):
            raise RuleViolation(
                "period.unbalanced", f"{month:%Y-%m} does not balance", report=report.model_dump(mode="json")
            )
        period.status, period.closed_at, period.closed_by = "closed", now, by
        period.report = report.model_dump(mode="json")
        await self.session.flush()
        return _out(period)


def _out(period: LedgerPeriod) -> PeriodOut:
    return PeriodOut(
        month=f"{period.month:%Y-%m}",
        status="closed" if period.status == "closed" else "open",
        closed_at=period.closed_at,
        closed_by=period.closed_by,
        report=CloseReport.model_validate(period.report) if period.report else None,
    )
