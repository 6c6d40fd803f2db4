"""Every query of the returns service."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aftersales_chassis import NotFound, PageParams

from .models import ReturnRequest, ReturnTransition


class ReturnRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: ReturnRequest) -> None:
        self.session.add(record)
        await self.session.flush()

    async def get(self, return_id: uuid.UUID, *, for_update: bool = False) -> ReturnRequest:
        query = select(ReturnRequest).where(ReturnRequest.id == return_id).options(selectinload(ReturnRequest.lines))
        if for_update:
            # Serialises actions on one return, so its events also commit in order.
            query = query.with_for_update(of=ReturnRequest)
        record = await self.session.scalar(query)
        if record is None:
            raise NotFound(f"return {return_id} does not exist", resource="return", id=str(return_id))
        return record

    async def list(self, page: PageParams, *, state: str | None, order_id: str | None) -> list[ReturnRequest]:
        query = select(ReturnRequest).options(selectinload(ReturnRequest.lines))
        if state:
            query = query.where(ReturnRequest.state == state)
        if order_id:
            query = query.where(ReturnRequest.order_id == order_id)
        if page.cursor:
            created_at, last_id = datetime.fromisoformat(page.cursor[0]), uuid.UUID(page.cursor[1])
            query = query.where(tuple_(ReturnRequest.created_at, ReturnRequest.id) > (created_at, last_id))
        query = query.order_by(ReturnRequest.created_at, ReturnRequest.id).limit(page.limit + 1)
        return list(await self.session.scalars(query))

    async def add_transition(self, transition: ReturnTransition) -> None:
        self.session.add(transition)
        await self.session.flush()

    async def history(self, return_id: uuid.UUID) -> list[ReturnTransition]:
        query = select(ReturnTransition).where(ReturnTransition.return_id == return_id).order_by(ReturnTransition.id)
        return list(await self.session.scalars(query))
