"""Every query of reviews and their cases."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset

from .models import CaseState, Review, ReviewCase, ReviewVersion


class ReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_version(self, version: ReviewVersion) -> bool:
        """True for a version not seen before; False for a resend (the intake's idempotency)."""
        values = {c.name: getattr(version, c.name) for c in ReviewVersion.__table__.columns}
        claimed = await self.session.execute(
            insert(ReviewVersion).values(**values).on_conflict_do_nothing().returning(ReviewVersion.marketplace)
        )
        return claimed.first() is not None

    async def mark_version_stale(self, version: ReviewVersion) -> None:
        row = await self.session.get(ReviewVersion, (version.marketplace, version.review_id, version.updated_at))
        if row is not None:
            row.outcome = "stale"

    async def find_review(self, marketplace: str, review_id: str, *, for_update: bool = False) -> Review | None:
        query = select(Review).where(Review.marketplace == marketplace, Review.review_id == review_id)
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query.execution_options(populate_existing=True))

    async def insert_review(self, review: Review) -> bool:
        """Inserts a first version; False when another request inserted the review first."""
        values = {c.name: getattr(review, c.name) for c in Review.__table__.columns}
        inserted = await self.session.execute(
            insert(Review)
            .values(**values)
            .on_conflict_do_nothing(constraint="uq_reviews_marketplace_review")
            .returning(Review.id)
        )
        return inserted.first() is not None

    async def get_review(self, review_pk: uuid.UUID, *, for_update: bool = False) -> Review:
        query = select(Review).where(Review.id == review_pk)
        if for_update:
            query = query.with_for_update()
        review = await self.session.scalar(query.execution_options(populate_existing=True))
        if review is None:
            raise NotFound(f"review {review_pk} does not exist", resource="review", id=str(review_pk))
        return review

    async def add_case(self, case: ReviewCase) -> None:
        self.session.add(case)
        await self.session.flush()

    async def open_case_of(self, review_pk: uuid.UUID) -> ReviewCase | None:
        query = select(ReviewCase).where(ReviewCase.review_pk == review_pk, ReviewCase.closed_at.is_(None))
        return await self.session.scalar(query.with_for_update().execution_options(populate_existing=True))

    async def get_case(self, case_id: uuid.UUID, *, for_update: bool = False) -> ReviewCase:
        query = select(ReviewCase).where(ReviewCase.id == case_id)
        if for_update:
            query = query.with_for_update()  # serialises actions on one case
        case = await self.session.scalar(query.execution_options(populate_existing=True))
        if case is None:
            raise NotFound(f"review case {case_id} does not exist", resource="review case", id=str(case_id))
        return case

    async def page_cases(
        self, page: PageParams, *, state: str | None, path: str | None, marketplace: str | None
    ) -> list[ReviewCase]:
        query = select(ReviewCase)
        if state:
            query = query.where(ReviewCase.state == state)
        if path:
            query = query.where(ReviewCase.path == path)
        if marketplace:
            query = query.where(ReviewCase.marketplace == marketplace)
        return list(await self.session.scalars(keyset(query, page, ReviewCase.opened_at, ReviewCase.id)))

    async def windows_closed(self, now: datetime, limit: int = 500) -> list[uuid.UUID]:
        """Cases still following up (W4) whose marketplace amendment window has closed."""
        query = (
            select(ReviewCase.id)
            .where(ReviewCase.state == CaseState.amend_requested, ReviewCase.amend_window_closes_at <= now)
            .order_by(ReviewCase.amend_window_closes_at)
            .limit(limit)
        )
        return list(await self.session.scalars(query))
