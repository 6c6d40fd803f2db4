"""Every query of refund requests."""

from __future__ import annotations

import builtins
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset

from .models import OPEN_STATES, RefundRequest, RefundRequestState


class RefundRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: RefundRequest) -> None:
        self.session.add(record)
        await self.session.flush()

    async def find(self, request_id: uuid.UUID, *, for_update: bool = False) -> RefundRequest | None:
        query = select(RefundRequest).where(RefundRequest.id == request_id)
        found: RefundRequest | None = await self.session.scalar(query.with_for_update() if for_update else query)
        return found

    async def get(self, request_id: uuid.UUID, *, for_update: bool = False) -> RefundRequest:
        found = await self.find(request_id, for_update=for_update)
        if found is None:
            raise NotFound(f"refund request {request_id} does not exist", resource="refund_request", id=str(request_id))
        return found

    async def in_progress_for(self, order_id: str) -> uuid.UUID | None:
        """The order's request in T1 or T1A1, if any (one at most: a partial unique index)."""
        query = select(RefundRequest.id).where(RefundRequest.order_id == order_id, RefundRequest.state.in_(OPEN_STATES))
        found: uuid.UUID | None = await self.session.scalar(query)
        return found

    async def lock_negotiating(self, order_id: str) -> builtins.list[uuid.UUID]:
        """The order's requests in T1A1, locked (at most two: the caller wants exactly one)."""
        # Locked: of two returns filed at once for the order, the second finds it filed and leaves it.
        rows = await self.session.scalars(
            select(RefundRequest.id)
            .where(RefundRequest.order_id == order_id, RefundRequest.state == RefundRequestState.negotiating)
            .limit(2)
            .with_for_update()
        )
        return list(rows)

    async def page(self, page: PageParams, *, state: str | None, order_id: str | None) -> builtins.list[RefundRequest]:
        query = select(RefundRequest)
        if state:
            query = query.where(RefundRequest.state == state)
        if order_id:
            query = query.where(RefundRequest.order_id == order_id)
        query = keyset(query, page, RefundRequest.created_at, RefundRequest.id)
        return list(await self.session.scalars(query))
