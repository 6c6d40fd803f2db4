"""The figures' jobs: the gauges hourly, the proactive product follow-ups daily at 09:00."""

from __future__ import annotations

from datetime import time

from aftersales_chassis import Principal, Role
from aftersales_sla import FixedTimeJob, JobContext

from .service import FiguresService

JOB_PRINCIPAL = Principal(subject="system:product-follow-up", roles=frozenset({Role.service}))


async def refresh_gauges(context: JobContext) -> None:
    await FiguresService(context.session, context.clock, context.calendar.zone).refresh_gauges()


async def open_product_follow_ups(context: JobContext) -> None:
    await FiguresService(context.session, context.clock, context.calendar.zone).open_follow_ups(90, 10, JOB_PRINCIPAL)


JOBS = [
    FixedTimeJob(
        "review-gauges",
        "W1",
        tuple(time(hour) for hour in range(24)),
        refresh_gauges,
        days="every",
        catch_up=False,
        every_replica=True,  # each replica's own gauges
    ),
    FixedTimeJob("product-follow-ups", "§9", (time(9),), open_product_follow_ups, days="every", catch_up=False),
]
