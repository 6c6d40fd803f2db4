"""Every query of post-contact ratings."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import PageParams
from aftersales_chassis.keyset import keyset

from .models import ContactRating


class RatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, values: dict[str, Any]) -> tuple[ContactRating, bool]:
        """Keeps the rating once per (channel, channel rating id); the one kept, and whether it is new."""
        inserted = await self.session.scalar(
            pg_insert(ContactRating)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["channel", "channel_rating_id"])
            .returning(ContactRating.id)
        )
        found = await self.session.scalar(
            select(ContactRating).where(
                ContactRating.channel == values["channel"],
                ContactRating.channel_rating_id == values["channel_rating_id"],
            )
        )
        assert found is not None  # inserted now or before
        return found, inserted is not None

    async def page(self, page: PageParams, *, agent: str | None, contact_type: str | None) -> list[ContactRating]:
        query = select(ContactRating)
        if agent is not None:
            query = query.where(ContactRating.agent == agent)
        if contact_type is not None:
            query = query.where(ContactRating.contact_type == contact_type)
        return list(await self.session.scalars(keyset(query, page, ContactRating.rated_at, ContactRating.id)))

    async def get(self, rating_id: uuid.UUID) -> ContactRating | None:
        return await self.session.scalar(select(ContactRating).where(ContactRating.id == rating_id))
