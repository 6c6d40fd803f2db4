"""The deposit cancellation's state machine (PROCESSES.md §7.3)."""

from __future__ import annotations

from aftersales_chassis import Role
from aftersales_chassis.roles import STAFF
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import DepositState as S

RECORDERS = (*STAFF, Role.merchant)
"""The merchant answers (its own deposits only), or staff record what the merchant said."""

DEPOSIT_FLOW = Workflow(
    "deposit_cancellation",
    S,
    [
        on("open", "§7.3", [NEW], S.awaiting_merchant, by=STAFF),
        on("record", "§7.3", [S.awaiting_merchant], S.cancelled, by=RECORDERS, outcome="cancelled"),
        on("record", "§7.3", [S.awaiting_merchant], S.refused, by=RECORDERS, outcome="refused"),
    ],
    policies=POLICIES,
)
