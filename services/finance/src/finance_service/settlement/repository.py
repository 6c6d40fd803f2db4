"""Queries of merchant settlement: read models, settlement documents and their lines."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Update, delete, exists, select, tuple_, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..ledger.models import Settlement, SettlementComplaint, SettlementDeposit, SettlementLine, SettlementOrder
from .plan import PlannedLine


class SettlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidates(self, merchant_id: str, end: datetime) -> list[tuple[SettlementOrder, bool]]:
        """The merchant's paid orders up to ``end`` not yet claimed by an approved settlement."""
        open_complaint = exists().where(
            SettlementComplaint.order_id == SettlementOrder.order_id,
            SettlementComplaint.opened_at.is_not(None),
            SettlementComplaint.closed_at.is_(None),
        )
        rows = await self.session.execute(
            select(SettlementOrder, open_complaint.label("open_complaint"))
            .where(
                SettlementOrder.merchant_id == merchant_id,
                SettlementOrder.settlement_id.is_(None),
                SettlementOrder.paid_at < end,
            )
            .order_by(SettlementOrder.paid_at, SettlementOrder.order_id)
        )
        return [(order, bool(flag)) for order, flag in rows.all()]

    async def outstanding_deposits(self, merchant_id: str, end: datetime) -> list[SettlementDeposit]:
        rows = await self.session.scalars(
            select(SettlementDeposit)
            .where(
                SettlementDeposit.merchant_id == merchant_id,
                SettlementDeposit.settlement_id.is_(None),
                SettlementDeposit.recorded_at < end,
            )
            .order_by(SettlementDeposit.recorded_at, SettlementDeposit.deposit_id)
        )
        return list(rows)

    async def merchants_due(self, end: datetime) -> list[str]:
        orders = select(SettlementOrder.merchant_id).where(
            SettlementOrder.merchant_id.is_not(None),
            SettlementOrder.settlement_id.is_(None),
            SettlementOrder.paid_at < end,
        )
        deposits = select(SettlementDeposit.merchant_id).where(
            SettlementDeposit.settlement_id.is_(None), SettlementDeposit.recorded_at < end
        )
        rows = await self.session.scalars(union(orders, deposits))
        return sorted(rows)

    async def get(self, settlement_id: uuid.UUID, *, lock: bool = False) -> Settlement | None:
        query = select(Settlement).where(Settlement.id == settlement_id)
        return await self.session.scalar(query.with_for_update() if lock else query)

    async def for_month(self, merchant_id: str, month: date) -> Settlement | None:
        return await self.session.scalar(
            select(Settlement).where(Settlement.merchant_id == merchant_id, Settlement.month == month).with_for_update()
        )

    async def lines(self, settlement_id: uuid.UUID) -> list[SettlementLine]:
        rows = await self.session.scalars(
            select(SettlementLine).where(SettlementLine.settlement_id == settlement_id).order_by(SettlementLine.id)
        )
        return list(rows)

    async def replace_lines(self, settlement_id: uuid.UUID, lines: list[PlannedLine]) -> None:
        await self.session.execute(delete(SettlementLine).where(SettlementLine.settlement_id == settlement_id))
        self.session.add_all(
            SettlementLine(
                settlement_id=settlement_id,
                kind=x.kind,
                order_id=x.order_id,
                deposit_id=x.deposit_id,
                reason=x.reason,
                amount_minor=x.amount_minor,
            )
            for x in lines
        )
        await self.session.flush()

    async def claim(self, settlement_id: uuid.UUID, order_ids: list[str], deposit_ids: list[str]) -> bool:
        """Marks the orders and deposits as settled by this settlement; False if any was taken."""
        orders = await self._updated(
            update(SettlementOrder)
            .where(SettlementOrder.order_id.in_(order_ids), SettlementOrder.settlement_id.is_(None))
            .values(settlement_id=settlement_id)
        )
        deposits = await self._updated(
            update(SettlementDeposit)
            .where(SettlementDeposit.deposit_id.in_(deposit_ids), SettlementDeposit.settlement_id.is_(None))
            .values(settlement_id=settlement_id)
        )
        return orders == len(order_ids) and deposits == len(deposit_ids)

    async def _updated(self, statement: Update) -> int:
        """Rows an UPDATE changed. Its result is a CursorResult; execute() is typed for any statement."""
        return cast(CursorResult[Any], await self.session.execute(statement)).rowcount

    async def page(
        self, *, merchant_id: str | None, status: str | None, limit: int, after: tuple[date, str] | None
    ) -> list[Settlement]:
        query = select(Settlement).order_by(Settlement.month.desc(), Settlement.merchant_id.desc())
        if merchant_id is not None:
            query = query.where(Settlement.merchant_id == merchant_id)
        if status is not None:
            query = query.where(Settlement.status == status)
        if after is not None:
            query = query.where(tuple_(Settlement.month, Settlement.merchant_id) < after)
        return list(await self.session.scalars(query.limit(limit)))

    async def order(self, order_id: str) -> SettlementOrder | None:
        return await self.session.get(SettlementOrder, order_id, with_for_update=True)
