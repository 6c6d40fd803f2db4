"""Queries of the periods: the months and their status, and the lines of the monthly
tables (booked transactions of a table, with finance's check mark and whether reversed)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Row, Select, exists, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from aftersales_chassis import PageParams
from aftersales_chassis.keyset import keyset

from ..chart import Table
from ..ledger.models import LedgerTransaction
from ..months import next_month
from .models import LedgerPeriod, LineCheck

# A table line: the transaction, its check (if any), and whether it was reversed.
LineRow = Row[LedgerTransaction, LineCheck, bool]


class PeriodRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def periods(self, page: PageParams) -> list[LedgerPeriod]:
        """Newest month first."""
        return list(await self.session.scalars(keyset(select(LedgerPeriod), page, LedgerPeriod.month, descending=True)))

    async def period(self, month: date) -> LedgerPeriod | None:
        return await self.session.get(LedgerPeriod, month)

    async def lock_period(self, month: date) -> LedgerPeriod:
        """The month's row, created open if missing, locked: FOR UPDATE waits for bookings in
        flight into this month (they hold FOR SHARE)."""
        await self.session.execute(pg_insert(LedgerPeriod).values(month=month).on_conflict_do_nothing())
        period = await self.session.scalar(select(LedgerPeriod).where(LedgerPeriod.month == month).with_for_update())
        assert period is not None
        return period

    async def line_check(self, transaction_id: uuid.UUID) -> LineCheck | None:
        return await self.session.get(LineCheck, transaction_id)

    async def lines(
        self,
        table: Table,
        month: date,
        *,
        limit: int | None = None,
        after: tuple[date, uuid.UUID] | None = None,
        transaction_id: uuid.UUID | None = None,
    ) -> Sequence[LineRow]:
        """The table's lines counted in ``month`` (its first day), by accounting day; one
        line with ``transaction_id``."""
        query = _lines(table, month)
        if after is not None:
            query = query.where(tuple_(LedgerTransaction.accounting_date, LedgerTransaction.id) > after)
        if transaction_id is not None:
            query = query.where(LedgerTransaction.id == transaction_id)
        if limit is not None:
            query = query.limit(limit)
        return (await self.session.execute(query)).all()


def _lines(table: Table, month: date) -> Select[LedgerTransaction, LineCheck, bool]:
    reversal = aliased(LedgerTransaction)
    return (
        select(
            LedgerTransaction,
            LineCheck,
            exists().where(reversal.reverses_id == LedgerTransaction.id).label("reversed"),
        )
        .outerjoin(LineCheck, LineCheck.transaction_id == LedgerTransaction.id)
        .where(
            LedgerTransaction.details["table"].astext == table.value,
            LedgerTransaction.accounting_date >= month,
            LedgerTransaction.accounting_date < next_month(month),
        )
        .order_by(LedgerTransaction.accounting_date, LedgerTransaction.id)
    )
