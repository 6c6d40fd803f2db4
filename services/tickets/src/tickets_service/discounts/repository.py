"""Every query of A5 discounts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset

from ..orders.models import OrderView
from .models import OrderDiscountTotal, PresaleDiscount


class DiscountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def locked_total(self, order_id: str, now: datetime) -> OrderDiscountTotal:
        """The order's running total, made at 0 if new, held ``FOR UPDATE`` until commit: a second
        grant on the order waits here and then sees this one's."""
        await self.session.execute(
            pg_insert(OrderDiscountTotal)
            .values(order_id=order_id, granted_minor=0, updated_at=now)
            .on_conflict_do_nothing(index_elements=["order_id"])
        )
        total = await self.session.scalar(
            select(OrderDiscountTotal)
            .where(OrderDiscountTotal.order_id == order_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert total is not None  # just made
        return total

    async def total(self, order_id: str) -> int:
        found = await self.session.scalar(
            select(OrderDiscountTotal.granted_minor).where(OrderDiscountTotal.order_id == order_id)
        )
        return int(found or 0)

    async def order(self, order_id: str) -> OrderView | None:
        return await self.session.scalar(select(OrderView).where(OrderView.order_id == order_id))

    async def add(self, record: PresaleDiscount) -> None:
        self.session.add(record)
        await self.session.flush()

    async def get(self, discount_id: uuid.UUID, *, for_update: bool = False) -> PresaleDiscount:
        query = select(PresaleDiscount).where(PresaleDiscount.id == discount_id)
        if for_update:
            query = query.with_for_update()
        found = await self.session.scalar(query)
        if found is None:
            raise NotFound(f"discount {discount_id} does not exist", resource="discount", id=str(discount_id))
        return found

    async def page(
        self, page: PageParams, *, order_id: str | None, state: str | None, requested_by: str | None
    ) -> list[PresaleDiscount]:
        query = select(PresaleDiscount)
        for column, value in (
            (PresaleDiscount.order_id, order_id),
            (PresaleDiscount.state, state),
            (PresaleDiscount.requested_by, requested_by),
        ):
            if value is not None:
                query = query.where(column == value)
        return list(await self.session.scalars(keyset(query, page, PresaleDiscount.requested_at, PresaleDiscount.id)))
