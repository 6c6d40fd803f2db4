"""Use cases of post-contact ratings. Only flush: the entry point commits."""

from __future__ import annotations

import uuid
from datetime import UTC

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Page, PageParams, Principal, page_of

from . import schemas
from .models import ContactRating
from .repository import RatingRepository


def to_out(record: ContactRating) -> schemas.RatingOut:
    out = schemas.RatingOut.model_validate(record)
    out.satisfied = record.score >= schemas.SATISFIED_FROM
    return out


class RatingService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.clock = clock
        self.repository = RatingRepository(session)

    async def take(self, data: schemas.RatingIn, actor: Principal) -> tuple[schemas.RatingOut, bool]:
        """Kept once per (channel, channel rating id): a resend answers the first (False)."""
        values = data.model_dump() | {
            "id": uuid.uuid4(),
            "rated_at": data.rated_at.astimezone(UTC),
            "recorded_by": actor.subject,
            "recorded_at": self.clock.now(),
        }
        record, created = await self.repository.add_once(values)
        return to_out(record), created

    async def list(self, page: PageParams, *, agent: str | None, contact_type: str | None) -> Page[schemas.RatingOut]:
        rows = await self.repository.page(page, agent=agent, contact_type=contact_type)
        return page_of(rows, page, key=lambda r: (r.rated_at, r.id), item=to_out)
