"""The callback task's state machine (PROCESSES.md §7.2). A task opens at the step of its
source (a signup §7.2, a missed call §7.1, A8, B5, W1): the outcome of ``open`` names it, so
the audit trail shows which process created the task. The claim is not a transition: it is
a lease on an open task, taken set-based (``FOR UPDATE SKIP LOCKED``), as M1's matching is
(ADR 0015), and touches no clock. A task's SLA clock (its opening step's, due at the task's
own due time, sla.py) is started and stopped by the use case, which knows that step and due
time: a table's ``stops=`` would have to name every opening step, a lookup each."""

from __future__ import annotations

from aftersales_chassis import Role
from aftersales_chassis.roles import STAFF, SUPERVISOR
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .kinds import OPENING_STEPS
from .models import TaskState as S

OPENERS = (Role.service, *SUPERVISOR)
"""Lists and signups arrive from other systems (role service) or a supervisor."""
WITHDRAWERS = (*STAFF, Role.service)

CALLBACK_FLOW = Workflow(
    "callback_task",
    S,
    [
        *(on("open", step, [NEW], S.open, by=OPENERS, outcome=step) for step in OPENING_STEPS),
        on("no-answer", "§7.2", [S.open], None, by=STAFF),
        on("reached", "§7.2", [S.open], S.reached, by=STAFF),
        on("unreachable", "§7.2", [S.open], S.unreachable, by=STAFF, rule="§7.2.two-unanswered-attempts"),
        on("withdraw", "§7.2", [S.open], S.withdrawn, by=WITHDRAWERS),
    ],
    policies=POLICIES,
)
