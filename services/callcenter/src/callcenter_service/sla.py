"""SLA policies of the callcenter service, by step id (PROCESSES.md): one SlaPolicy per timed step.

A callback task runs one clock of the step it was opened at (``callbacks/kinds.py``: §7.2
signups and lists, §7.1 missed calls, A8, B5, W1), started when the task is created and
stopped at its final outcome. Several task kinds share §7.2 with different due rules: each
clock is due at its task's own due time (``SlaClocks.start(due=...)``), shows that rule as
its duration, and carries the task kind as its aggregate type, so ``GET /sla/clocks?
aggregate_type=new_signup&status=met`` gives a kind's on-time share. The durations below
are each step's headline rule, as §7.2 and §10 state it; the warning leads are the queue's
own at-risk window (``callback_at_risk_minutes``, 10 min by default) or, for the longer
steps, about a tenth of the time."""

from datetime import timedelta

from aftersales_calendar import WallClock, WorkingDays, WorkingHours
from aftersales_sla import PolicyBook, SlaPolicy

_STOPS = "the task's final outcome: reached (with a summary), unreachable (after 2 unanswered attempts), withdrawn"

POLICIES = PolicyBook(
    "callcenter",
    [
        SlaPolicy(
            step="§7.2",
            title="Outbound callback by the task kind's due time (new signup 15 min of working time, returning "
            "customer 1 h, event signup on the last working day on or before event − 7 d, post-event lists the "
            "next working day, recommendations 3 wd, outreach 5 wd)",
            duration=WorkingHours(timedelta(minutes=15)),
            warn_before=WorkingHours(timedelta(minutes=10)),
            role="agent",
            starts="callback task opened (signup, event list, recommendation, outreach list)",
            stops=_STOPS,
            source="seed 001 §7.2; §10 (off-hours signups, event − 7 d); recommendation and outreach: defaults",
        ),
        SlaPolicy(
            step="§7.1",
            title="Missed inbound caller called back the same working day",
            duration=WorkingDays(1),
            warn_before=WorkingHours(timedelta(hours=1)),
            role="agent",
            starts="a sweep (10:00, 13:00, 15:00, 17:00) turns the missed call into a callback task",
            stops=_STOPS,
            source="seed 001 §7.2 (呼损 callbacks); §10 sweeps",
        ),
        SlaPolicy(
            step="A8",
            title="Follow-up call: workable 3 days after the parcel is signed for, by the close of the first "
            "working day then",
            duration=WallClock(timedelta(days=3)),
            warn_before=WorkingHours(timedelta(hours=1)),
            role="agent",
            starts="OrderSignedFor (the A8 task opened)",
            stops=_STOPS + " (a return or complaint opened for the order withdraws it)",
            source="seed 000 A8; §10",
        ),
        SlaPolicy(
            step="B5",
            title="Phone reminder of a large unpaid order within 1 h of the order",
            duration=WallClock(timedelta(hours=1)),
            warn_before=WallClock(timedelta(minutes=10)),
            role="agent",
            starts="OrderPlaced of a large-amount order, unpaid (the B5 task opened)",
            stops=_STOPS + " (payment or cancellation withdraws it)",
            source="seed 000 §2 B5",
        ),
        SlaPolicy(
            step="W1",
            title="Call the customer within 24 h of a neutral or negative review",
            duration=WallClock(timedelta(hours=24)),
            warn_before=WallClock(timedelta(hours=2)),
            role="agent",
            starts="a neutral/negative review's case opened (the 24 h call task opened)",
            stops=_STOPS + " (the review case closing first withdraws it)",
            source="seed 000 §5",
        ),
    ],
)
