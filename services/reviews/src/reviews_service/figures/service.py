"""The figures of review handling. Read-only but for the proactive follow-up tasks."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Page, PageParams, Principal, page_of

from . import schemas
from .metrics import CALL_BREACHES, CALL_ON_TIME, OPEN_CASES
from .models import ProductFollowUp
from .repository import FiguresRepository

THRESHOLD = 4.8  # seed 002: products rated below 4.8 get proactive follow-up
PATHS = ("awaiting_call", "misunderstanding", "quality", "malicious")
CALL_WINDOW = timedelta(days=30)


class FiguresService:
    def __init__(self, session: AsyncSession, clock: Clock, zone: ZoneInfo) -> None:
        self.clock = clock
        self.zone = zone
        self.figures = FiguresRepository(session)

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    def _bounds(self, first: date, last: date) -> tuple[datetime, datetime]:
        """From the start of ``first`` to the end of ``last``, in the calendar's zone."""
        return datetime.combine(first, time(), self.zone), datetime.combine(last + timedelta(days=1), time(), self.zone)

    def _window(self, window_days: int) -> tuple[date, date]:
        last = self.today()
        return last - timedelta(days=window_days - 1), last

    async def daily(self, first: date, last: date) -> list[dict[str, Any]]:
        """The daily review-handling table (中差评处理表): a row per day and path."""
        return await self.figures.daily(*self._bounds(first, last), zone=str(self.zone))

    async def products(self, window_days: int, min_ratings: int) -> schemas.ProductRatings:
        first, last = self._window(window_days)
        rows = await self.figures.products(*self._bounds(first, last))
        return schemas.ProductRatings(
            window_start=first,
            window_end=last,
            window_days=window_days,
            min_ratings=min_ratings,
            threshold=THRESHOLD,
            zone=str(self.zone),
            products=[self._judge(row, min_ratings) for row in rows],
        )

    def _judge(self, row: dict[str, Any], min_ratings: int) -> schemas.ProductRating:
        ratings, average = int(row["ratings"]), float(row["average"])
        if ratings < min_ratings:
            status, reason = "too_few_ratings", f"{ratings} rating(s) in the window; at least {min_ratings} are needed"
        elif average < THRESHOLD:
            status, reason = "follow_up", f"average {average:.3f} is below {THRESHOLD}"
        else:
            status, reason = "ok", f"average {average:.3f} is at least {THRESHOLD}"
        return schemas.ProductRating(sku=row["sku"], ratings=ratings, average=average, status=status, reason=reason)

    async def open_follow_ups(self, window_days: int, min_ratings: int, actor: Principal) -> list[schemas.FollowUpOut]:
        """A task for each product under the threshold with enough ratings, one per product and
        window: none while an earlier task's window has not passed yet."""
        figures = await self.products(window_days, min_ratings)
        created = []
        for product in figures.products:
            if product.status != "follow_up":
                continue
            if await self.figures.follow_up_since(
                product.sku, window_days, figures.window_end - timedelta(days=window_days)
            ):
                continue
            task = ProductFollowUp(
                id=uuid.uuid4(),
                sku=product.sku,
                window_days=window_days,
                window_start=figures.window_start,
                window_end=figures.window_end,
                ratings=product.ratings,
                average=product.average,
                threshold=THRESHOLD,
                state="open",
                created_by=actor.subject,
                created_at=self.clock.now(),
            )
            if await self.figures.add_follow_up(task):
                created.append(schemas.FollowUpOut.model_validate(task))
        return created

    async def follow_ups(self, page: PageParams) -> Page[schemas.FollowUpOut]:
        rows = await self.figures.follow_ups(page)
        return page_of(rows, page, key=lambda r: (r.created_at, r.id), item=schemas.FollowUpOut.model_validate)

    async def shop(self, window_days: int) -> schemas.ShopFigures:
        first, last = self._window(window_days)
        rows = await self.figures.shop(*self._bounds(first, last))
        return schemas.ShopFigures(
            window_start=first,
            window_end=last,
            zone=str(self.zone),
            marketplaces=[schemas.MarketplaceFigures(**row) for row in rows],
        )

    async def refresh_gauges(self) -> schemas.CallFigures:
        now = self.clock.now()
        open_cases = await self.figures.open_by_path()
        for path in PATHS:
            OPEN_CASES.labels(path=path).set(open_cases.get(path, 0))
        due, on_time = await self.figures.calls(now - CALL_WINDOW, now)
        ratio = on_time / due if due else 1.0
        CALL_ON_TIME.set(ratio)
        CALL_BREACHES.set(due - on_time)
        return schemas.CallFigures(
            open_cases=open_cases, calls_due=due, called_on_time=on_time, on_time_ratio=ratio, breaches=due - on_time
        )
