"""The remedy's state machine (PROCESSES.md §5, Z4 → Z5 → Z6). Rules that are not about state or
role (the cumulative cap, a different approver) stay in the use case (service.py)."""

from __future__ import annotations

from aftersales_chassis.roles import STAFF, SUPERVISOR
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import RemedyState as S

REMEDY_FLOW = Workflow(
    "remedy",
    S,
    [
        on("open", "Z4", [NEW], S.proposed, by=STAFF),
        on("approve", "Z5", [S.proposed], S.approved, by=SUPERVISOR),
        on("reject", "Z5", [S.proposed], S.rejected, by=SUPERVISOR),
        on("agree", "Z6", [S.approved], S.agreed, by=STAFF),
        on("decline", "Z6", [S.approved], S.declined, by=STAFF),
    ],
    policies=POLICIES,
)
