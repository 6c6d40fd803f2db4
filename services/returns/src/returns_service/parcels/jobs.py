"""M: the daily 09:00 parcel log (working days), a fixed-time job run once across replicas."""

from __future__ import annotations

from datetime import time

from aftersales_events import record_event
from aftersales_events.catalogue import parcels as ev
from aftersales_sla import FixedTimeJob, JobContext

from .models import ParcelLogRun
from .repository import ParcelRepository


async def compile_daily_log(context: JobContext) -> None:
    """Lists every parcel that arrived since the previous log and records the day's counts."""
    repository = ParcelRepository(context.session)
    run_date = context.scheduled_for.astimezone(context.calendar.zone).date()
    counts = await repository.log_unlogged(run_date, context.scheduled_for)
    run = ParcelLogRun(
        run_date=run_date,
        scheduled_for=context.scheduled_for,
        ran_at=context.now,
        parcels=sum(counts.values()),
        matched=counts.get("matched", 0) + counts.get("claimed", 0),
        unmatched=counts.get("unmatched", 0),
        unclaimed=counts.get("unclaimed", 0),
    )
    await repository.add_log_run(run)
    await record_event(
        context.session,
        ev.ParcelLogCompiled(
            run_date=run.run_date,
            scheduled_for=run.scheduled_for,
            parcels=run.parcels,
            matched=run.matched,
            unmatched=run.unmatched,
            unclaimed=run.unclaimed,
        ),
        subject=f"parcel-log-{run_date.isoformat()}",
        at=context.now,
    )


DAILY_LOG = FixedTimeJob(name="parcel-daily-log", step="M", times=(time(9, 0),), action=compile_daily_log)
JOBS = (DAILY_LOG,)
