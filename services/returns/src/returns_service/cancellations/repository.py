"""Every query of cancellations."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound

from .models import Cancellation, CancellationState


class CancellationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: Cancellation) -> None:
        self.session.add(record)
        await self.session.flush()

    async def get(self, cancellation_id: uuid.UUID, *, for_update: bool = False) -> Cancellation:
        query = select(Cancellation).where(Cancellation.id == cancellation_id)
        found = await self.session.scalar(query.with_for_update() if for_update else query)
        if found is None:
            raise NotFound(f"cancellation {cancellation_id} does not exist", resource="cancellation")
        return found

    async def unrefunded_for(self, order_id: str) -> uuid.UUID | None:
        """The order's cancellation that has not ended in a refund, if any."""
        query = select(Cancellation.id).where(
            Cancellation.order_id == order_id, Cancellation.state != CancellationState.refunded
        )
        found: uuid.UUID | None = await self.session.scalar(query)
        return found

    async def by_refund(self, refund_id: uuid.UUID, *, for_update: bool = False) -> Cancellation | None:
        query = select(Cancellation).where(Cancellation.refund_id == refund_id)
        found: Cancellation | None = await self.session.scalar(query.with_for_update() if for_update else query)
        return found
