"""Every query of the order read model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .models import OrderView

TABLE = OrderView.__table__


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def merge_facts(self, order_id: str, at: datetime, facts: dict[str, Any]) -> None:
        """Upserts the facts: a column already known keeps its value (first fact wins), so a
        redelivered or late fact changes nothing; ``updated_at`` is the latest fact's instant."""
        known = {name: value for name, value in facts.items() if value is not None}
        statement = pg_insert(OrderView).values(order_id=order_id, updated_at=at, **known)
        update: dict[str, Any] = {name: func.coalesce(TABLE.c[name], statement.excluded[name]) for name in known}
        update["updated_at"] = func.greatest(TABLE.c.updated_at, statement.excluded.updated_at)
        await self.session.execute(statement.on_conflict_do_update(index_elements=[TABLE.c.order_id], set_=update))

    async def find(self, order_id: str) -> OrderView | None:
        return await self.session.scalar(select(OrderView).where(OrderView.order_id == order_id))
