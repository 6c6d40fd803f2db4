"""Live figures of the complaints floor for the ops dashboards (§4, §9), refreshed by a fixed-time
job every minute (one replica runs each instant; every replica exports the gauge it last set, so
the dashboards take ``max``). On-time % and breaches by step are the SLA library's
``sla_on_time_ratio{service="tickets"}`` and ``sla_breaches_total{service="tickets"}``."""

from __future__ import annotations

from datetime import time

from prometheus_client import Gauge

from aftersales_sla import FixedTimeJob, JobContext

from ..complaints.models import Channel, Priority
from .repository import ReportRepository

OPEN_COMPLAINTS = Gauge(
    "tickets_open_complaints",
    "Complaints neither closed nor merged, by the channel they came in on and their priority.",
    ["channel", "priority"],
)
# A series per pair from start-up: a fresh process answers before the first refresh.
for _channel in Channel:
    for _priority in Priority:
        OPEN_COMPLAINTS.labels(_channel.value, _priority.value)


async def refresh_gauges(context: JobContext) -> None:
    seen = {
        (row.channel, row.priority): row.open
        for row in await ReportRepository(context.session).open_by_channel_priority()
    }
    for channel in Channel:
        for priority in Priority:
            OPEN_COMPLAINTS.labels(channel.value, priority.value).set(seen.get((channel.value, priority.value), 0))


JOBS = (
    FixedTimeJob(
        "complaint-gauges",
        "§4",
        tuple(time(hour, minute) for hour in range(24) for minute in range(60)),
        refresh_gauges,
        days="every",
        catch_up=False,  # a gauge needs the latest figure, not every missed run
    ),
)
