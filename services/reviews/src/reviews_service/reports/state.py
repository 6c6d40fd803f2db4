"""The report's state machine: the marketplace's outcome, recorded once (by its gateway, or by
staff reading the marketplace's answer)."""

from __future__ import annotations

from aftersales_chassis.roles import SERVICE, STAFF
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import ReportOutcome as S

DECIDERS = (*SERVICE, *STAFF)

REPORT_FLOW = Workflow(
    "review_report",
    S,
    [
        on("open", "E2", [NEW], S.pending, by=STAFF),
        on("decide", "E2", [S.pending], S.upheld, outcome="upheld", by=DECIDERS),
        on("decide", "E2", [S.pending], S.rejected, outcome="rejected", by=DECIDERS),
    ],
    policies=POLICIES,
    state_attribute="outcome",
)
