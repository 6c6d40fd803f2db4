"""Every query of deposit cancellations."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound

from .models import DepositCancellation, DepositState


class DepositRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: DepositCancellation) -> None:
        self.session.add(record)
        await self.session.flush()

    async def get(self, cancellation_id: uuid.UUID, *, for_update: bool = False) -> DepositCancellation:
        query = select(DepositCancellation).where(DepositCancellation.id == cancellation_id)
        found = await self.session.scalar(query.with_for_update() if for_update else query)
        if found is None:
            raise NotFound(f"deposit cancellation {cancellation_id} does not exist", resource="deposit cancellation")
        return found

    async def by_deposit(self, deposit_id: str) -> DepositCancellation | None:
        query = select(DepositCancellation).where(DepositCancellation.deposit_id == deposit_id)
        found: DepositCancellation | None = await self.session.scalar(query)
        return found

    async def booked_on(self, day: date) -> list[DepositCancellation]:
        query = select(DepositCancellation).where(DepositCancellation.booked_on == day)
        return list(await self.session.scalars(query.order_by(DepositCancellation.created_at, DepositCancellation.id)))

    async def awaiting(self, merchant_id: str | None) -> list[DepositCancellation]:
        query = select(DepositCancellation).where(DepositCancellation.state == DepositState.awaiting_merchant)
        if merchant_id is not None:
            query = query.where(DepositCancellation.merchant_id == merchant_id)
        return list(await self.session.scalars(query.order_by(DepositCancellation.merchant_due_at)))
