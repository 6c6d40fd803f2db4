"""Every query of the review-call feature."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import PageParams
from aftersales_chassis.keyset import keyset

from .models import ReviewCallAwaitingPhone, ReviewCaseClosure


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

    async def park(self, waiting: ReviewCallAwaitingPhone) -> None:
        """Parks the request once per case (a redelivery keeps the first)."""
        w = ReviewCallAwaitingPhone
        statement = (
            pg_insert(w)
            .values(case_id=waiting.case_id, order_id=waiting.order_id, customer_id=waiting.customer_id,
                    reviewed_at=waiting.reviewed_at, due_at=waiting.due_at, parked_at=waiting.parked_at)
            .on_conflict_do_nothing(index_elements=["case_id"])
        )  # fmt: skip
        await self.session.execute(statement)

    async def waiting_for_order(self, order_id: str) -> list[ReviewCallAwaitingPhone]:
        """The order's unresolved parked calls, locked: two deliveries cannot both open one."""
        w = ReviewCallAwaitingPhone
        query = select(w).where(w.order_id == order_id, w.resolved_at.is_(None)).order_by(w.parked_at).with_for_update()
        return list(await self.session.scalars(query))

    async def resolve(self, case_id: uuid.UUID, resolution: str, at: datetime) -> None:
        w = ReviewCallAwaitingPhone
        statement = (
            update(w).where(w.case_id == case_id, w.resolved_at.is_(None)).values(resolved_at=at, resolution=resolution)
        )
        await self.session.execute(statement)

    async def waiting_page(self, page: PageParams) -> list[ReviewCallAwaitingPhone]:
        w = ReviewCallAwaitingPhone
        return list(
            await self.session.scalars(keyset(select(w).where(w.resolved_at.is_(None)), page, w.due_at, w.case_id))
        )
