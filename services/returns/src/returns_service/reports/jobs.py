"""Keeps the return-rate gauges current for dashboards (hourly, every day)."""

from __future__ import annotations

from datetime import time

from aftersales_sla import FixedTimeJob, JobContext

from .service import ReportsService


async def refresh_return_rate(context: JobContext) -> None:
    month = context.now.astimezone(context.calendar.zone).date().replace(day=1)
    await ReportsService(context.session, context.calendar.zone).return_rate(month, "reason")


JOBS = [
    FixedTimeJob(
        "return-rate-gauges",
        "T4",
        tuple(time(hour) for hour in range(24)),
        refresh_return_rate,
        days="every",
        every_replica=True,  # each replica's own gauges
        catch_up=False,  # a gauge needs the latest figure, not every missed hour
    )
]
