"""§8 (seed 001): on the 10th (the last working day on or before it), a draft settlement
of the previous month for every merchant with something to settle; run once across replicas."""

from __future__ import annotations

from datetime import time, timedelta

from aftersales_sla import FixedTimeJob, JobContext

from ..months import month_of
from .service import SettlementService

JOB_USER = "system:merchant-settlement"


async def draft_previous_month(context: JobContext) -> None:
    day = context.scheduled_for.astimezone(context.calendar.zone).date()
    previous = month_of(month_of(day) - timedelta(days=1))
    await SettlementService(context.session, context.clock).draft_all(previous, by=JOB_USER)


MONTHLY_SETTLEMENT = FixedTimeJob(
    name="merchant-settlement", step="§8", times=(time(9, 0),), action=draft_previous_month, monthly_by=10
)
JOBS = (MONTHLY_SETTLEMENT,)
