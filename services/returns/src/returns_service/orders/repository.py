"""Queries of the order read model."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aftersales_chassis import NotFound

from .models import Order, OrderFactReceipt


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_fact(self, receipt: OrderFactReceipt) -> bool:
        """Records the fact's id; False when it was taken in before (a resend)."""
        inserted = await self.session.scalar(
            pg_insert(OrderFactReceipt)
            .values(
                shop_event_id=receipt.shop_event_id,
                order_id=receipt.order_id,
                kind=receipt.kind,
                received_at=receipt.received_at,
            )
            .on_conflict_do_nothing()
            .returning(OrderFactReceipt.shop_event_id)
        )
        return inserted is not None

    async def find(self, order_id: str, *, for_update: bool = False) -> Order | None:
        query = select(Order).where(Order.order_id == order_id).options(selectinload(Order.lines))
        if for_update:
            query = query.with_for_update(of=Order)
        found: Order | None = await self.session.scalar(query)
        return found

    async def get(self, order_id: str, *, for_update: bool = False) -> Order:
        found = await self.find(order_id, for_update=for_update)
        if found is None:
            raise NotFound(f"order {order_id} is not known to the returns service", resource="order", id=order_id)
        return found

    async def add(self, order: Order) -> None:
        self.session.add(order)
        await self.session.flush()
