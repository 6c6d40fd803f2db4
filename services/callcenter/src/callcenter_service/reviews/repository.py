"""Every query of the review-call feature."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .models import ReviewCaseClosure


class ReviewCallRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def closure(self, case_id: uuid.UUID) -> ReviewCaseClosure | None:
        return await self.session.get(ReviewCaseClosure, case_id)

    async def add_closure(self, closure: ReviewCaseClosure) -> bool:
        """Records the case's end once (the first closure wins); True when this one was new."""
        statement = (
            pg_insert(ReviewCaseClosure)
            .values(case_id=closure.case_id, outcome=closure.outcome, closed_at=closure.closed_at,
                    recorded_at=closure.recorded_at)
            .on_conflict_do_nothing(index_elements=["case_id"])
            .returning(ReviewCaseClosure.case_id)
        )  # fmt: skip
        return (await self.session.scalar(statement)) is not None
