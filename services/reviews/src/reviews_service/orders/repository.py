"""Every query of the orders read model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Order


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, order_id: str, **facts: Any) -> None:
        """Sets the given facts (a replay sets the same values: idempotent); a fact that is
        None leaves what is known."""
        known = {name: value for name, value in facts.items() if value is not None}
        statement = insert(Order).values(order_id=order_id, **known)
        if known:
            statement = statement.on_conflict_do_update(
                index_elements=[Order.order_id],
                set_={name: func.coalesce(statement.excluded[name], getattr(Order, name)) for name in known},
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=[Order.order_id])
        await self.session.execute(statement)

    async def find(self, order_id: str, *, for_update: bool = False) -> Order | None:
        query = select(Order).where(Order.order_id == order_id)
        if for_update:
            # Z4: remedies for one order are granted one at a time (the cumulative cap).
            query = query.with_for_update()
        return await self.session.scalar(query.execution_options(populate_existing=True))
