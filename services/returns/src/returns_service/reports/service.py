"""Report use cases: daily detail, monthly summary (T4), return rate against the 5% target."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from . import repository
from .metrics import RETURN_RATE

TARGET_RATE = 0.05  # seed 003: return/exchange rate under 5%
RATE_COLUMNS = ("key", "returned_units", "base_units", "rate")
"""The columns of a return-rate group (the CSV of ``/reports/returns/rate``)."""


class ReportsService:
    def __init__(self, session: AsyncSession, zone: ZoneInfo) -> None:
        self.session = session
        self.zone = zone

    async def daily_detail(self, day: date) -> list[dict[str, Any]]:
        start, end = repository.bounds(day, day + timedelta(days=1), self.zone)
        return await repository.detail_rows(self.session, start, end)

    async def monthly_summary(self, month: date) -> dict[str, Any]:
        start, end = repository.month_bounds(month, self.zone)
        summary = await repository.monthly_summary(self.session, start, end)
        return {"month": month.strftime("%Y-%m"), "zone": str(self.zone), **summary}

    async def monthly_lines(self, month: date) -> list[dict[str, Any]]:
        start, end = repository.month_bounds(month, self.zone)
        return await repository.detail_rows(self.session, start, end)

    async def return_rate(self, month: date, by: str) -> dict[str, Any]:
        """Returned units ÷ units shipped in the month, overall and per product or reason."""
        start, end = repository.month_bounds(month, self.zone)
        sold = await repository.units_sold(self.session, start, end)
        returned = await repository.units_returned(self.session, start, end, by)
        total_sold, total_returned = sum(sold.values()), sum(returned.values())
        overall = total_returned / total_sold if total_sold else 0.0
        groups = []
        for key, units in sorted(returned.items()):
            base = sold.get(key, 0) if by == "product" else total_sold
            rate = units / base if base else None
            groups.append({"key": key, "returned_units": units, "base_units": base, "rate": rate})
            if by == "reason" and rate is not None:
                RETURN_RATE.labels("reason", key).set(rate)
        RETURN_RATE.labels("all", "all").set(overall)
        return {
            "month": month.strftime("%Y-%m"),
            "formula": "units in returns filed in the month (not rejected or withdrawn) ÷ units shipped in the month",
            "units_shipped": total_sold,
            "units_returned": total_returned,
            "rate": overall,
            "target": TARGET_RATE,
            "above_target": overall >= TARGET_RATE,
            "by": by,
            "groups": groups,
        }
