"""Every query of the customer flags."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .models import CustomerFlag


class FlagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, object]) -> bool:
        """Keeps the flag once per review case; True when it was new."""
        statement = (
            pg_insert(CustomerFlag)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["case_id"])
            .returning(CustomerFlag.case_id)
        )
        return (await self.session.scalar(statement)) is not None

    async def of_customers(self, customer_ids: Collection[str]) -> list[CustomerFlag]:
        """The flags of these customers, newest first (one query for a whole page)."""
        if not customer_ids:
            return []
        query = (
            select(CustomerFlag)
            .where(CustomerFlag.customer_id.in_(sorted(set(customer_ids))))
            .order_by(CustomerFlag.flagged_at.desc(), CustomerFlag.case_id)
        )
        return list(await self.session.scalars(query))
