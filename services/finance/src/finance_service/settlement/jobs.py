"""§8 (seed 001): on the 10th (the last working day on or before it), a draft settlement
of the previous month for every merchant with something to settle; run once across replicas."""

from __future__ import annotations

from datetime import time, timedelta

from aftersales_chassis import Principal, Role
from aftersales_sla import FixedTimeJob, JobContext

from ..months import month_of
from .service import SettlementService

JOB_USER = "system:merchant-settlement"
# The job acts as a service: the settlement table lets the service role draft (§8).
JOB_PRINCIPAL = Principal(subject=JOB_USER, roles=frozenset({Role.service}))


async def draft_previous_month(context: JobContext) -> None:
    day = context.scheduled_for.astimezone(context.calendar.zone).date()
    previous = month_of(month_of(day) - timedelta(days=1))
    await SettlementService(context.session, context.clock, context.calendar).draft_all(previous, JOB_PRINCIPAL)


MONTHLY_SETTLEMENT = FixedTimeJob(
    name="merchant-settlement", step="§8", times=(time(9, 0),), action=draft_previous_month, monthly_by=10
)
JOBS = (MONTHLY_SETTLEMENT,)
