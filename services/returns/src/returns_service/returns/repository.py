"""Every query of the returns service."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset

from .models import ReturnLine, ReturnRequest, ReturnState


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
        query = keyset(query, page, ReturnRequest.created_at, ReturnRequest.id)
        return list(await self.session.scalars(query))

    async def quantities_in_open_returns(self, order_id: str) -> dict[str, int]:
        """Quantities per sku already in returns of the order that are not rejected or withdrawn."""
        rows = await self.session.execute(
            select(ReturnLine.sku, func.sum(ReturnLine.quantity))
            .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
            .where(
                ReturnRequest.order_id == order_id,
                ReturnRequest.state.not_in([ReturnState.rejected, ReturnState.cancelled]),
            )
            .group_by(ReturnLine.sku)
        )
        return {sku: int(total) for sku, total in rows}

    async def refunded_for_order(self, order_id: str, *, excluding: uuid.UUID | None = None) -> int:
        """Goods already refunded on other returns of the order (never refund more than was paid)."""
        goods = ReturnRequest.refund_amount_minor - ReturnRequest.goodwill_minor - ReturnRequest.refund_freight_minor
        query = select(func.coalesce(func.sum(goods), 0)).where(
            ReturnRequest.order_id == order_id, ReturnRequest.refund_amount_minor.is_not(None)
        )
        if excluding is not None:
            query = query.where(ReturnRequest.id != excluding)
        return int(await self.session.scalar(query) or 0)

    async def get_by_refund(self, refund_id: uuid.UUID, *, for_update: bool = False) -> ReturnRequest | None:
        query = (
            select(ReturnRequest).where(ReturnRequest.refund_id == refund_id).options(selectinload(ReturnRequest.lines))
        )
        if for_update:
            query = query.with_for_update(of=ReturnRequest)
        found: ReturnRequest | None = await self.session.scalar(query)
        return found
