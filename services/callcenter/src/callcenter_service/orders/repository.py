"""Every query of the orders read model."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import KnownOrder


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_or_new(self, order_id: str, now: datetime) -> KnownOrder:
        """The order, locked, or a new row for it (events of one order arrive in any order)."""
        query = select(KnownOrder).where(KnownOrder.order_id == order_id).with_for_update()
        found = await self.session.scalar(query)
        if found is None:
            found = KnownOrder(order_id=order_id, customer_name="", updated_at=now)
            self.session.add(found)
            await self.session.flush()
        return found

    async def get(self, order_id: str) -> KnownOrder | None:
        return await self.session.get(KnownOrder, order_id)
