"""Every query of the red/black list."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Conflict, PageParams
from aftersales_chassis.db_errors import CHECK_VIOLATION, DatabaseRefusals

from .models import ListState, RedBlackEntry, RedBlackList

LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")

REFUSALS = DatabaseRefusals(
    {
        (CHECK_VIOLATION, "red_black_list_decided"): lambda refusal: Conflict(
            f"a decided red/black list is immutable; correct it with a new version ({refusal.message})",
            rule="§4.6.decided-immutable",
        )
    }
)
"""The database's own guard (migration tickets_0005's triggers) read as the rule it is."""


class RedBlackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, month: date) -> None:
        """Serialises nominations, reviews, decisions and corrections of one month."""
        await self.session.execute(LOCK, {"key": f"red-black-list:{month:%Y-%m}"})

    async def latest(self, month: date) -> RedBlackList | None:
        return await self.session.scalar(
            select(RedBlackList).where(RedBlackList.month == month).order_by(RedBlackList.version.desc()).limit(1)
        )

    async def latest_decided(self, month: date) -> RedBlackList | None:
        return await self.session.scalar(
            select(RedBlackList)
            .where(RedBlackList.month == month, RedBlackList.state == ListState.decided)
            .order_by(RedBlackList.version.desc())
            .limit(1)
        )

    async def version(self, month: date, version: int) -> RedBlackList | None:
        return await self.session.scalar(
            select(RedBlackList).where(RedBlackList.month == month, RedBlackList.version == version)
        )

    async def by_id(self, list_id: uuid.UUID) -> RedBlackList | None:
        return await self.session.get(RedBlackList, list_id)

    async def entries(self, list_id: uuid.UUID) -> list[RedBlackEntry]:
        query = select(RedBlackEntry).where(RedBlackEntry.list_id == list_id).order_by(RedBlackEntry.merchant_id)
        return list(await self.session.scalars(query))

    async def entry(self, list_id: uuid.UUID, merchant_id: str) -> RedBlackEntry | None:
        return await self.session.get(RedBlackEntry, (list_id, merchant_id))

    async def add(self, *records: RedBlackList | RedBlackEntry) -> None:
        with REFUSALS:
            self.session.add_all(records)
            await self.session.flush()

    async def flush(self) -> None:
        with REFUSALS:
            await self.session.flush()

    async def page(self, page: PageParams, month: date | None) -> list[RedBlackList]:
        query = select(RedBlackList)
        if month is not None:
            query = query.where(RedBlackList.month == month)
        if (after := page.after(date, int)) is not None:
            query = query.where(tuple_(RedBlackList.month, RedBlackList.version) < after)
        query = query.order_by(RedBlackList.month.desc(), RedBlackList.version.desc()).limit(page.fetch_size)
        return list(await self.session.scalars(query))
