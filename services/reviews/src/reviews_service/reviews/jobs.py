"""The hourly sweep that ends cases whose marketplace amendment window closed (W4)."""

from __future__ import annotations

from datetime import time

from aftersales_chassis import Principal, Role
from aftersales_sla import FixedTimeJob, JobContext, SlaClocks

from ..sla import POLICIES
from .service import CaseService

JOB_PRINCIPAL = Principal(subject="system:amend-window", roles=frozenset({Role.service}))


async def close_amend_windows(context: JobContext) -> None:
    sla = SlaClocks(context.session, context.calendar, POLICIES, context.now)
    await CaseService(context.session, context.clock, sla).close_due_windows(JOB_PRINCIPAL)


JOBS = [
    FixedTimeJob(
        "amend-window-close",
        "W4",
        tuple(time(hour) for hour in range(24)),
        close_amend_windows,
        days="every",
        catch_up=False,  # one sweep closes every window that closed meanwhile
    )
]
