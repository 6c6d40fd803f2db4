"""Every query of remedies."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound

from .models import LIVE_STATES, Remedy


class RemedyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, remedy: Remedy) -> None:
        self.session.add(remedy)
        await self.session.flush()

    async def get(self, remedy_id: uuid.UUID, *, for_update: bool = False) -> Remedy:
        query = select(Remedy).where(Remedy.id == remedy_id)
        if for_update:
            query = query.with_for_update()
        remedy = await self.session.scalar(query.execution_options(populate_existing=True))
        if remedy is None:
            raise NotFound(f"remedy {remedy_id} does not exist", resource="remedy", id=str(remedy_id))
        return remedy

    async def granted(self, order_id: str) -> int:
        """What the order's live remedies take of its paid price (call with the order row locked)."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(Remedy.amount_minor), 0)).where(
                Remedy.order_id == order_id, Remedy.state.in_(LIVE_STATES)
            )
        )
        return int(total or 0)

    async def of_case(self, case_id: uuid.UUID) -> list[Remedy]:
        query = select(Remedy).where(Remedy.case_id == case_id).order_by(Remedy.proposed_at, Remedy.id)
        return list(await self.session.scalars(query))
