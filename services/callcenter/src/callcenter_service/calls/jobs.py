"""§7.1's fixed-time jobs, run once across replicas by the SLA scheduler: the missed-call
sweeps at 10:00, 13:00, 15:00 and 17:00 on working days (make-up days included, never on
holidays), and the day's call-loss check at its end."""

from __future__ import annotations

from collections import defaultdict
from datetime import time, timedelta

from aftersales_sla import FixedTimeJob, JobContext, SlaClocks

from ..callbacks.kinds import TaskKind
from ..callbacks.repository import CallbackRepository
from ..callbacks.service import CallbackService, DoNotCallRefused, TaskSpec
from ..settings import running_settings
from ..sla import POLICIES
from .repository import CallRepository
from .service import CallLogService

SWEEP_TIMES = (time(10, 0), time(13, 0), time(15, 0), time(17, 0))


async def sweep_missed_calls(context: JobContext) -> None:
    """Turns the missed-call list into callbacks due the same day: one per caller, or the
    caller's open missed-call task when there is one. Calls missed after the 17:00 sweep or on
    a non-working day wait on the list for the next working day's 10:00 sweep."""
    calls = CallRepository(context.session)
    missed = await calls.unswept_missed(context.scheduled_for)
    by_phone: dict[str, list[str]] = defaultdict(list)
    for call in missed:
        by_phone[call.phone].append(call.call_id)
    sla = SlaClocks(context.session, context.calendar, POLICIES, context.now)
    callbacks = CallbackService(context.session, context.clock, sla, running_settings())
    tasks = CallbackRepository(context.session)
    run = context.scheduled_for.astimezone(context.calendar.zone).isoformat(timespec="minutes")
    for phone, call_ids in by_phone.items():
        open_already = [t for t in await tasks.open_for_phone(phone) if t.kind == TaskKind.missed_call]
        task_id = open_already[0].id if open_already else None
        if task_id is None:
            first = min(c.started_at for c in missed if c.phone == phone)
            spec = TaskSpec(kind=TaskKind.missed_call, source=f"missed:{phone}:{run}", phone=phone,
                            requested_at=first, note=f"missed calls: {', '.join(call_ids)}")  # fmt: skip
            try:
                task, _ = await callbacks.open_task(spec)
                task_id = task.id
            except DoNotCallRefused:
                task_id = None  # swept without a callback: the caller asked not to be called
        await calls.mark_swept(call_ids, context.now, task_id)


async def check_call_loss(context: JobContext) -> None:
    """The day's call-loss rate against its limit, at the day's end: the breach event once."""
    day = (context.scheduled_for - timedelta(minutes=1)).astimezone(context.calendar.zone).date()
    await CallLogService(context.session, context.clock, context.calendar, running_settings()).check_breach(day)


JOBS = (
    FixedTimeJob(name="missed-call-sweep", step="§7.1", times=SWEEP_TIMES, action=sweep_missed_calls),
    FixedTimeJob(name="call-loss-check", step="§7.1", times=(time(23, 59),), action=check_call_loss, days="every"),
)
