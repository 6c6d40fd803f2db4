"""Use cases of the reports: a period in the calendar's zone, its aggregates, shaped as the
report says. Read only."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, PageParams, RuleViolation, page_of

from ..complaints.models import Channel, Priority
from . import schemas
from .periods import Period, days_period, month_period, quarter_period, week_period
from .repository import ReportRepository

MAX_DAYS = 366
"""The longest range of the daily statistics (a year, one row a day)."""


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def _period_out(period: Period) -> dict[str, Any]:
    return {
        "period": period.label,
        "zone": period.zone.key,
        "first_day": period.first,
        "last_day": period.last,
        "start_at": period.start_at,
        "end_at": period.end_at,
    }


_SUMMED = (
    "complaints",
    "major",
    "public_complaints",
    "merchant_replied",
    "reply_seconds",
    "met",
    "breaches",
    "stopped",
)


def merchant_figures(*row_sets: list[Row[Any]]) -> list[schemas.MerchantFigures]:
    """Each merchant's figures, summed over the row sets (a period's months, counted apart), ranked
    by complaints (ties by merchant id)."""
    totals: dict[str, dict[str, float]] = {}
    for rows in row_sets:
        for row in rows:
            tally = totals.setdefault(row.merchant_id, dict.fromkeys(_SUMMED, 0.0))
            for name in _SUMMED:
                tally[name] += float(getattr(row, name) or 0)
    ranked = sorted(totals.items(), key=lambda item: (-item[1]["complaints"], item[0]))
    return [
        schemas.MerchantFigures(
            rank=rank,
            merchant_id=merchant_id,
            complaints=int(t["complaints"]),
            major=int(t["major"]),
            public_complaints=int(t["public_complaints"]),
            merchant_replied=int(t["merchant_replied"]),
            avg_reply_hours=round(t["reply_seconds"] / t["merchant_replied"] / 3600, 2)
            if t["merchant_replied"]
            else None,
            clocks_stopped=int(t["stopped"]),
            on_time=int(t["met"]),
            breaches=int(t["breaches"]),
            on_time_percent=percent(int(t["met"]), int(t["stopped"])),
        )
        for rank, (merchant_id, t) in enumerate(ranked, start=1)
    ]


def _alert(row: Row[Any]) -> schemas.MajorAlert:
    return schemas.MajorAlert(
        id=row.id, received_at=row.received_at, channel=row.channel, priority=row.priority, rule=row.priority_rule,
        merchant_id=row.merchant_id, order_id=row.order_id, category=row.category, brand=row.brand,
        state=row.state, owner=row.owner, subject=row.subject,
    )  # fmt: skip


def _clocks(rows: list[Row[Any]]) -> list[schemas.StepClocks]:
    return [
        schemas.StepClocks(
            step=row.step,
            stopped=row.stopped,
            met=row.met,
            breached=row.breached,
            on_time_percent=percent(row.met, row.stopped),
        )
        for row in rows
    ]


class ReportService:
    """``sessionmaker``: a report's independent statements run at once, each on a connection of
    its own (each reads its own snapshot: a report is not a transaction); None: one after the
    other on ``session``."""

    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        zone: ZoneInfo,
        sessionmaker: Callable[[], AsyncSession] | None = None,
    ) -> None:
        self.repository = ReportRepository(session)
        self.clock = clock
        self.zone = zone
        self.sessionmaker = sessionmaker

    async def _gather(self, *calls: Callable[[ReportRepository], Awaitable[Any]]) -> list[Any]:
        if self.sessionmaker is None:
            return [await call(self.repository) for call in calls]
        sessionmaker = self.sessionmaker

        async def run(call: Callable[[ReportRepository], Awaitable[Any]]) -> Any:
            async with sessionmaker() as session:
                return await call(ReportRepository(session))

        return list(await asyncio.gather(*(run(call) for call in calls)))

    # -- periods ----------------------------------------------------------------------------------

    def days(self, first: date, last: date) -> Period:
        if last < first:
            raise RuleViolation("§9.report-range", f"`to` ({last}) is before `from` ({first})", field="query.to")
        if (last - first).days + 1 > MAX_DAYS:
            raise RuleViolation(
                "§9.report-range", f"at most {MAX_DAYS} days a request; ask for a year at a time", field="query.to"
            )
        return days_period(first, last, self.zone)

    def week(self, monday: date) -> Period:
        return week_period(monday, self.zone)

    def month(self, first: date) -> Period:
        return month_period(first, self.zone)

    def quarter(self, first: date) -> Period:
        return quarter_period(first, self.zone)

    # -- reports ----------------------------------------------------------------------------------

    async def daily(self, period: Period) -> schemas.DailyReport:
        days: dict[date, dict[str, Any]] = {}
        day = period.first
        while day < period.end:
            days[day] = {
                "day": day, "received": 0, "merged": 0, "major": 0, "closed": 0,
                "by_channel": {c.value: 0 for c in Channel}, "by_priority": {p.value: 0 for p in Priority},
                "breaches": {},
            }  # fmt: skip
            day = date.fromordinal(day.toordinal() + 1)
        received, closed, breaches = await self._gather(
            lambda r: r.daily_received(period), lambda r: r.daily_closed(period), lambda r: r.breaches_by_day(period)
        )
        for row in received:
            bucket = days[row.day]
            bucket["received"] += row.received
            bucket["merged"] += row.merged
            bucket["major"] += row.major
            bucket["by_channel"][row.channel] = bucket["by_channel"].get(row.channel, 0) + row.received
            bucket["by_priority"][row.priority] = bucket["by_priority"].get(row.priority, 0) + row.received
        for row in closed:
            days[row.day]["closed"] = row.closed
        for row in breaches:
            days[row.day]["breaches"][row.step] = row.breaches
        return schemas.DailyReport(
            **_period_out(period),
            days=[schemas.DailyRow(**values) for values in days.values()],
            formulas={"received": schemas.FORMULAS["complaints"]},
        )

    async def analysis(self, period: Period, limit: int) -> schemas.Analysis:
        by: dict[str, list[schemas.Count]] = {"category": [], "channel": [], "brand": [], "priority": []}
        months: list[schemas.MonthTotal] = []
        total = major = 0
        # One statement per month for the merchants (the costliest part), all at once.
        months_apart = period.months()
        dimensions, alerts, clocks, *by_month = await self._gather(
            lambda r: r.dimensions(period),
            lambda r: r.major(period, limit),
            lambda r: r.clocks(period),
            *(lambda r, month=month: r.merchants(month) for month in months_apart),
        )
        for row in dimensions:
            flags = {"category": row.no_category, "channel": row.no_channel, "brand": row.no_brand,
                     "priority": row.no_priority, "month": row.no_month}  # fmt: skip
            grouped = [name for name, rolled_up in flags.items() if not rolled_up]
            if not grouped:
                total, major = row.complaints, row.major
            elif grouped[0] == "month":
                months.append(
                    schemas.MonthTotal(month=f"{row.month:%Y-%m}", complaints=row.complaints, major=row.major)
                )
            else:
                name = grouped[0]
                by[name].append(schemas.Count(key=getattr(row, name), complaints=row.complaints, major=row.major))
        for counts in by.values():
            counts.sort(key=lambda c: (-c.complaints, c.key is None, c.key or ""))
        merchants = merchant_figures(*by_month)
        return schemas.Analysis(
            **_period_out(period),
            complaints=total,
            major=major,
            by_category=by["category"],
            by_channel=by["channel"],
            by_brand=by["brand"],
            by_priority=by["priority"],
            by_month=sorted(months, key=lambda m: m.month),
            merchants=merchants[:limit],
            merchants_total=len(merchants),
            major_alerts=[_alert(row) for row in alerts],
            major_alerts_total=alerts[0].total if alerts else 0,
            clocks=_clocks(clocks),
            formulas=schemas.FORMULAS,
        )

    async def weekly(self, period: Period, page: PageParams, limit: int) -> schemas.Weekly:
        after = page.after(datetime, uuid.UUID)

        async def unresolved_page(r: ReportRepository) -> tuple[list[Row[Any]], dict[str, list[str]]]:
            rows = await r.unresolved(period, page.fetch_size, after)
            return rows, await r.breached_steps([row.id for row in rows[: page.limit]])

        received, closed_rows, alerts, (rows, breached), open_counts, cooperation, clocks = await self._gather(
            lambda r: r.daily_received(period),
            lambda r: r.daily_closed(period),
            lambda r: r.major(period, limit),
            unresolved_page,
            lambda r: r.unresolved_count(period),
            lambda r: r.merchants(period),
            lambda r: r.clocks(period),
        )
        counts = {"received": sum(row.received for row in received), "major": sum(row.major for row in received)}
        closed = sum(row.closed for row in closed_rows)
        now = self.clock.now()
        unresolved = page_of(
            rows,
            page,
            key=lambda r: (r.received_at, r.id),
            item=lambda r: schemas.Progress(
                id=r.id,
                received_at=r.received_at,
                age_hours=round((now - r.received_at).total_seconds() / 3600, 2),
                channel=r.channel,
                priority=r.priority,
                major=r.major,
                merchant_id=r.merchant_id,
                order_id=r.order_id,
                state=r.state,
                owner=r.owner,
                first_replied_at=r.first_replied_at,
                merchant_replied_at=r.merchant_replied_at,
                last_activity_at=r.updated_at,
                breached_steps=breached.get(str(r.id), []),
                subject=r.subject,
            ),
        )
        return schemas.Weekly(
            **_period_out(period),
            complaints=counts["received"],
            major=counts["major"],
            closed=closed,
            major_complaints=[_alert(row) for row in alerts],
            major_complaints_total=alerts[0].total if alerts else 0,
            unresolved=unresolved,
            unresolved_total=open_counts.total,
            unresolved_major=open_counts.major,
            cooperation=merchant_figures(cooperation),
            clocks=_clocks(clocks),
            formulas=schemas.FORMULAS,
        )

    async def cooperation(self, period: Period, merchant_id: str | None) -> schemas.Cooperation:
        """A merchant's own figures (``merchant_id``; its rank among all), or every merchant's (None: staff)."""
        figures = merchant_figures(await self.repository.merchants(period))
        return schemas.Cooperation(
            **_period_out(period),
            merchants=[f for f in figures if merchant_id is None or f.merchant_id == merchant_id],
            formulas={k: v for k, v in schemas.FORMULAS.items() if k.startswith("merchant.")},
        )

    async def anomalies(self, period: Period) -> schemas.AnomalySummary:
        return schemas.AnomalySummary(
            **_period_out(period),
            cases=[
                schemas.CaseCount(kind=row.kind, liability=row.liability or None, cases=row.cases)
                for row in await self.repository.cases(period)
            ],
            abnormal_refunds=[
                schemas.RefundTotal(
                    liability=row.liability or None,
                    currency=row.currency,
                    refunds=row.refunds,
                    amount_minor=int(row.amount_minor),
                )
                for row in await self.repository.abnormal_refunds(period)
            ],
            breaches=[
                schemas.StepBreaches(step=row.step, breaches=row.breaches)
                for row in await self.repository.breaches_by_step(period)
            ],
        )
