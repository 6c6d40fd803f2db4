"""Every query of inquiries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset

from ..orders.models import OrderView
from .models import Inquiry, InquiryState

LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(CAST(:keys AS text[])) AS k")
UNCONVERTED = (InquiryState.open, InquiryState.failed)


class InquiryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, *keys: str) -> None:
        """Serialises, until commit, intakes of one chat message and everything that converts a
        customer's inquiries (an intake and an order arriving at once both see the other)."""
        await self.session.execute(LOCK, {"keys": sorted(set(keys))})

    async def add(self, record: Inquiry) -> None:
        self.session.add(record)
        await self.session.flush()

    async def get(self, inquiry_id: uuid.UUID, *, for_update: bool = False) -> Inquiry:
        query = select(Inquiry).where(Inquiry.id == inquiry_id)
        if for_update:
            query = query.with_for_update()
        found = await self.session.scalar(query)
        if found is None:
            raise NotFound(f"inquiry {inquiry_id} does not exist", resource="inquiry", id=str(inquiry_id))
        return found

    async def by_channel_message(self, channel: str, message_id: str) -> Inquiry | None:
        return await self.session.scalar(
            select(Inquiry).where(Inquiry.channel == channel, Inquiry.channel_message_id == message_id)
        )

    async def first_order(self, customer_id: str, start: datetime, end: datetime) -> OrderView | None:
        """The customer's first order placed in [start, end] (the read model of returns' facts)."""
        query = (
            select(OrderView)
            .where(OrderView.customer_id == customer_id, OrderView.placed_at >= start, OrderView.placed_at <= end)
            .order_by(OrderView.placed_at, OrderView.order_id)
            .limit(1)
        )
        return await self.session.scalar(query)

    async def unconverted_at(self, customer_id: str, placed_at: datetime) -> list[Inquiry]:
        """The customer's unconverted inquiries whose window holds ``placed_at``, locked."""
        query = (
            select(Inquiry)
            .where(
                Inquiry.customer_id == customer_id,
                Inquiry.state.in_(UNCONVERTED),
                Inquiry.asked_at <= placed_at,
                Inquiry.converts_until >= placed_at,
            )
            .order_by(Inquiry.asked_at, Inquiry.id)
            .with_for_update()
        )
        return list(await self.session.scalars(query))

    async def page(
        self,
        page: PageParams,
        *,
        newest_first: bool = False,
        filters: dict[str, Any],
        window_closed_before: datetime | None = None,
        followed_up: bool | None = None,
        asked_from: datetime | None = None,
        asked_to: datetime | None = None,
    ) -> list[Inquiry]:
        query: Select[tuple[Inquiry]] = select(Inquiry)
        for name, value in filters.items():
            if value is None:
                continue
            column = getattr(Inquiry, name)
            query = query.where(column.in_(value) if isinstance(value, tuple) else column == value)
        if window_closed_before is not None:
            query = query.where(Inquiry.converts_until < window_closed_before)
        if followed_up is not None:
            query = query.where(
                Inquiry.followed_up_at.is_not(None) if followed_up else Inquiry.followed_up_at.is_(None)
            )
        if asked_from is not None:
            query = query.where(Inquiry.asked_at >= asked_from)
        if asked_to is not None:
            query = query.where(Inquiry.asked_at < asked_to)
        query = keyset(query, page, Inquiry.asked_at, Inquiry.id, descending=newest_first)
        return list(await self.session.scalars(query))
