"""B: the reminder sender, every 5 minutes, once across replicas."""

from __future__ import annotations

from datetime import time

from aftersales_sla import FixedTimeJob, JobContext, SlaClocks

from ..settings import running_settings, running_state
from ..sla import POLICIES
from .service import ReminderService


async def send_due_reminders(context: JobContext) -> None:
    sla = SlaClocks(context.session, context.calendar, POLICIES, context.now)
    await ReminderService(context.session, context.clock, sla, running_settings()).send_due(running_state().messaging)


JOBS = (
    FixedTimeJob(
        name="unpaid-reminders",
        step="B1",
        times=tuple(time(hour, minute) for hour in range(24) for minute in range(0, 60, 5)),
        action=send_due_reminders,
        days="every",
        catch_up=False,  # one pass sends everything due
    ),
)
