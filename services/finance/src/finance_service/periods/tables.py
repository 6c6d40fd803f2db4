"""The monthly tables of PROCESSES.md §8: abnormal refunds (C4/C5) and return refunds
(T4/T5), read from the booked transactions, with finance's check mark per line."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, NotFound, Page, PageParams, page_of

from ..chart import Table
from ..ledger.models import LedgerTransaction
from ..ledger.repository import LedgerRepository
from ..months import month_of
from .models import LineCheck
from .repository import PeriodRepository
from .schemas import LineOut

CSV_COLUMNS = list(LineOut.model_fields)


class MonthlyTables:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.repo = PeriodRepository(session)
        self.ledger = LedgerRepository(session)

    async def page(self, table: Table, month: date, page: PageParams) -> Page[LineOut]:
        rows = await self.repo.lines(table, month_of(month), limit=page.fetch_size, after=page.after(date, uuid.UUID))
        return page_of(rows, page, key=lambda row: (row[0].accounting_date, row[0].id), item=lambda row: _line(*row))

    async def all_lines(self, table: Table, month: date) -> list[LineOut]:
        return [_line(*row) for row in await self.repo.lines(table, month_of(month))]

    async def csv_rows(self, table: Table, month: date) -> list[dict[str, Any]]:
        """The whole table, a row per line (the columns: :data:`CSV_COLUMNS`)."""
        return [line.model_dump(mode="json") for line in await self.all_lines(table, month)]

    async def unreconciled(self, month: date) -> list[LineOut]:
        return [line for table in Table for line in await self.all_lines(table, month) if line.status == "booked"]

    async def check(self, transaction_id: uuid.UUID, *, by: str, note: str | None) -> LineOut:
        """C5/T5: finance checked the line against the source documents."""
        found = await self.ledger.transaction(transaction_id)
        if found is None or not found.details.get("table"):
            raise NotFound(f"{transaction_id} is not a line of a monthly table", resource="line")
        period = await self.repo.period(month_of(found.accounting_date))
        if period is not None and period.status == "closed":
            raise Conflict(f"{found.accounting_date:%Y-%m} is closed: a closed month is not changed")
        if await self.repo.line_check(transaction_id) is not None:
            raise Conflict("the line is already checked", resource="line")
        self.session.add(
            LineCheck(transaction_id=transaction_id, checked_by=by, checked_at=self.clock.now(), note=note)
        )
        await self.session.flush()
        (row,) = await self.repo.lines(
            Table(found.details["table"]), month_of(found.accounting_date), transaction_id=transaction_id
        )
        return _line(*row)


def _line(tx: LedgerTransaction, check: LineCheck | None, reversed_: bool) -> LineOut:
    details = tx.details
    return LineOut(
        transaction_id=tx.id,
        accounting_date=tx.accounting_date,
        belongs_to=details.get("belongs_to"),
        step=details.get("step"),
        order_id=details.get("order_id"),
        reference=next(
            (details[k] for k in ("refund_id", "abnormal_refund_id", "remedy_id", "return_id") if details.get(k)), None
        ),
        kind=details.get("kind"),
        amount_minor=int(details.get("amount_minor", 0)),
        currency=tx.currency,
        approved_by=details.get("approved_by"),
        description=tx.description,
        status="reversed" if reversed_ else ("checked" if check else "booked"),
        checked_by=check.checked_by if check else None,
        checked_at=check.checked_at if check else None,
    )
