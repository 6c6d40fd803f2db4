"""Closing a month: it must have ended, balance, and reconcile; once closed the database
refuses any posting dated in it (later events land in the next open month)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, InvalidTransition, Page, PageParams, RuleViolation, page_of

from ..ledger.repository import LedgerRepository
from ..ledger.service import LedgerReader
from ..months import month_start, next_month
from .models import LedgerPeriod
from .repository import PeriodRepository
from .schemas import CloseReport, PeriodOut
from .tables import MonthlyTables


class PeriodService:
    def __init__(self, session: AsyncSession, clock: Clock, zone: ZoneInfo) -> None:
        """``zone``: the business calendar's, where a month ends."""
        self.session = session
        self.clock = clock
        self.zone = zone
        self.repo = PeriodRepository(session)
        self.ledger = LedgerRepository(session)
        self.reader = LedgerReader(session, clock)
        self.tables = MonthlyTables(session, clock)

    async def list(self, page: PageParams) -> Page[PeriodOut]:
        rows = await self.repo.periods(page)
        return page_of(rows, page, key=lambda p: (p.month,), item=_out)

    async def get(self, month: date) -> PeriodOut:
        period = await self.repo.period(month)
        if period is not None and period.status == "closed":
            return _out(period)
        return PeriodOut(
            month=f"{month:%Y-%m}", status="open", closed_at=None, closed_by=None, report=await self.report(month)
        )

    async def report(self, month: date) -> CloseReport:
        transactions = await self.ledger.count_in_month(month)
        late = await self.ledger.count_in_month(month, late_only=True)
        totals = await self.reader.month_totals(month)
        return CloseReport(
            month=f"{month:%Y-%m}",
            balanced=all(total == 0 for total in totals.values()),
            totals_by_currency=totals,
            ledger_reconciled=(await self.reader.reconciliation()).ok,
            transactions=transactions,
            late_entries=late,
            unreconciled=await self.tables.unreconciled(month),
        )

    async def close(self, month: date, *, by: str) -> PeriodOut:
        now = self.clock.now()
        if now < month_start(next_month(month), self.zone):
            raise RuleViolation("period.not-ended", f"{month:%Y-%m} has not ended yet")
        period = await self.repo.lock_period(month)
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
