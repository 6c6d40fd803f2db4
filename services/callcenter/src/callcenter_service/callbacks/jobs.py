"""Keeps the queue's gauges current (every 5 minutes, every day): queue depth by class,
on-time ratio by kind, attempts per task, and today's call-loss rate."""

from __future__ import annotations

from datetime import time, timedelta

from aftersales_sla import FixedTimeJob, JobContext

from ..calls.service import CallLogService
from ..settings import running_settings
from .metrics import ATTEMPTS_PER_TASK, ON_TIME, PRIORITY_CLASSES, QUEUE_DEPTH, TIMINGS
from .repository import CallbackRepository


async def refresh_gauges(context: JobContext) -> None:
    settings = running_settings()
    repository = CallbackRepository(context.session)
    at_risk = timedelta(minutes=settings.callback_at_risk_minutes)
    seen = {row["priority_class"]: row for row in await repository.queue_by_class(context.now, at_risk)}
    for name in PRIORITY_CLASSES:
        row = seen.get(name, {})
        for timing in TIMINGS:
            QUEUE_DEPTH.labels(name, timing).set(row.get(timing, 0))
    for kind, closed, on_time in await repository.on_time_by_kind():
        ON_TIME.labels(kind).set(on_time / closed if closed else 1.0)
    ATTEMPTS_PER_TASK.set(await repository.attempts_per_task())
    today = context.now.astimezone(context.calendar.zone).date()
    await CallLogService(context.session, context.clock, context.calendar, settings).loss_rate(today)


JOBS = (
    FixedTimeJob(
        "callback-gauges",
        "§7.2",
        tuple(time(hour, minute) for hour in range(24) for minute in range(0, 60, 5)),
        refresh_gauges,
        days="every",
        every_replica=True,  # each replica's own gauges
        catch_up=False,  # a gauge needs the latest figure, not every missed run
    ),
)
