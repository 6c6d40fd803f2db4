"""The unpaid reminder's state machine (PROCESSES.md §2)."""

from __future__ import annotations

from aftersales_chassis import Role
from aftersales_chassis.roles import STAFF
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import ReminderState as S

SYSTEM = (Role.service,)

REMINDER_FLOW = Workflow(
    "unpaid_reminder",
    S,
    [
        on("open", "B1", [NEW], S.scheduled, by=SYSTEM),
        on("send", "B3", [S.scheduled], S.sent, by=SYSTEM, outcome="chat"),
        on("send", "B4", [S.scheduled], S.sent, by=SYSTEM, outcome="sms"),
        on("cancel", "B1", [S.scheduled], S.cancelled, by=SYSTEM),
        on("close", "B1", [S.scheduled], S.closed, by=STAFF),
    ],
    policies=POLICIES,
)
