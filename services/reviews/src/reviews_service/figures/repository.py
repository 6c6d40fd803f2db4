"""Every query of the figures. Days are taken in the business calendar's zone (``:zone``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import PageParams
from aftersales_chassis.keyset import keyset

from .models import ProductFollowUp

DAILY_COLUMNS = [
    "day",
    "path",
    "received",
    "called_within_24h",
    "amended",
    "reported",
    "remedies",
    "remedies_minor",
]

# One row per day and path of the cases opened that day (the day the review turned bad, in the
# calendar's zone); "pending" is a case not called yet. Remedies: those agreed (Z6).
DAILY = text(
    """
    SELECT (c.bad_since AT TIME ZONE :zone)::date AS day,
           coalesce(c.path, 'pending') AS path,
           count(*) AS received,
           count(*) FILTER (WHERE c.called_at IS NOT NULL AND c.called_at <= c.call_due_at) AS called_within_24h,
           count(*) FILTER (WHERE c.outcome = 'amended') AS amended,
           count(rr.id) AS reported,
           coalesce(sum(rm.n), 0)::bigint AS remedies,
           coalesce(sum(rm.total), 0)::bigint AS remedies_minor
      FROM review_cases c
      JOIN reviews r ON r.id = c.review_pk AND NOT r.excluded
      LEFT JOIN review_reports rr ON rr.case_id = c.id
      LEFT JOIN (SELECT case_id, count(*) AS n, sum(amount_minor) AS total
                   FROM remedies WHERE state = 'agreed' GROUP BY case_id) rm ON rm.case_id = c.id
     WHERE c.bad_since >= :start AND c.bad_since < :end
     GROUP BY 1, 2
     ORDER BY 1, 2
    """
)

PRODUCTS = text(
    """
    SELECT sku, count(*) AS ratings, round(avg(stars)::numeric, 3)::float AS average
      FROM reviews
     WHERE NOT excluded AND sku IS NOT NULL AND reviewed_at >= :start AND reviewed_at < :end
     GROUP BY sku
     ORDER BY sku
    """
)

SHOP = text(
    """
    SELECT marketplace,
           count(*) AS reviews,
           round(avg(stars)::numeric, 3)::float AS average_stars,
           count(*) FILTER (WHERE rating = 'good') AS good,
           count(*) FILTER (WHERE rating = 'neutral') AS neutral,
           count(*) FILTER (WHERE rating = 'negative') AS negative,
           count(dsr_description) AS dsr_ratings,
           round(avg(dsr_description)::numeric, 3)::float AS dsr_description,
           round(avg(dsr_service)::numeric, 3)::float AS dsr_service,
           round(avg(dsr_logistics)::numeric, 3)::float AS dsr_logistics
      FROM reviews
     WHERE NOT excluded AND reviewed_at >= :start AND reviewed_at < :end
     GROUP BY marketplace
     ORDER BY marketplace
    """
)

OPEN_BY_PATH = text(
    """
    SELECT coalesce(path, 'awaiting_call') AS path, count(*) AS open
      FROM review_cases WHERE closed_at IS NULL GROUP BY 1
    """
)

# Calls due in the window (and already due): on time, late, or never made.
CALLS = text(
    """
    SELECT count(*) AS due,
           count(*) FILTER (WHERE called_at IS NOT NULL AND called_at <= call_due_at) AS on_time
      FROM review_cases c
      JOIN reviews r ON r.id = c.review_pk AND NOT r.excluded
     WHERE call_due_at >= :start AND call_due_at < :now
       AND NOT (closed_at IS NOT NULL AND called_at IS NULL AND closed_at <= call_due_at)
    """
)


class FiguresRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, query: Any, **params: Any) -> list[dict[str, Any]]:
        return [dict(row._mapping) for row in await self.session.execute(query, params)]

    async def daily(self, start: datetime, end: datetime, zone: str) -> list[dict[str, Any]]:
        return await self._rows(DAILY, start=start, end=end, zone=zone)

    async def products(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        return await self._rows(PRODUCTS, start=start, end=end)

    async def shop(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        return await self._rows(SHOP, start=start, end=end)

    async def open_by_path(self) -> dict[str, int]:
        return {row["path"]: int(row["open"]) for row in await self._rows(OPEN_BY_PATH)}

    async def calls(self, start: datetime, now: datetime) -> tuple[int, int]:
        [row] = await self._rows(CALLS, start=start, now=now)
        return int(row["due"]), int(row["on_time"])

    async def follow_up_since(self, sku: str, window_days: int, after: date) -> bool:
        """Whether the product has a task of this window length whose window ends after ``after``."""
        query = select(ProductFollowUp.id).where(
            ProductFollowUp.sku == sku, ProductFollowUp.window_days == window_days, ProductFollowUp.window_end > after
        )
        return (await self.session.scalar(query.limit(1))) is not None

    async def add_follow_up(self, task: ProductFollowUp) -> bool:
        values = {c.name: getattr(task, c.name) for c in ProductFollowUp.__table__.columns}
        added = await self.session.execute(
            insert(ProductFollowUp)
            .values(**values)
            .on_conflict_do_nothing(constraint="uq_product_follow_ups_window")
            .returning(ProductFollowUp.id)
        )
        return added.first() is not None

    async def follow_ups(self, page: PageParams) -> list[ProductFollowUp]:
        query = keyset(select(ProductFollowUp), page, ProductFollowUp.created_at, ProductFollowUp.id)
        return list(await self.session.scalars(query))
