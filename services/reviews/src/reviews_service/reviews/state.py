"""The review case's state machine (PROCESSES.md §5): which action, at which step, from which
states, by whom, and the clocks each moves. Applied by aftersales_workflow.

The 24 h call clock (W1) is started by the intake itself, from the review's own time rather
than now, so that a review ingested late keeps its due time (see intake.py)."""

from __future__ import annotations

from aftersales_chassis.roles import SERVICE, STAFF
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import OPEN_STATES
from .models import CaseState as S

# The intake (the marketplace gateway's service token) reports what the marketplace says; the
# amendment-window job acts as the service too; staff may close a window by hand.
WINDOW_CLOSERS = (*SERVICE, *STAFF)

CASE_FLOW = Workflow(
    "review_case",
    S,
    [
        on("open", "W1", [NEW], S.awaiting_call, by=SERVICE),
        on("call", "W1", [S.awaiting_call], S.misunderstanding, outcome="misunderstanding", by=STAFF, stops=["W1"]),
        on("call", "Z1", [S.awaiting_call], S.quality, outcome="quality", by=STAFF, stops=["W1"]),
        on("call", "E1", [S.awaiting_call], S.malicious, outcome="malicious", by=STAFF, stops=["W1"]),
        on("answer", "W2", [S.misunderstanding], S.answered, by=STAFF),
        on("listen", "Z2", [S.quality], S.heard, by=STAFF),
        on("explain", "Z3", [S.heard], S.explained, by=STAFF),
        on(
            "ask-amend",
            "W3",
            [S.answered, S.explained, S.amend_requested],
            S.amend_requested,
            by=STAFF,
            stops=["W4"],
            starts=["W4"],
            rule="W3.after-answer",
        ),
        on("follow-up", "W4", [S.amend_requested], None, by=STAFF, stops=["W4"], starts=["W4"]),
        on("close-window", "W4", [S.amend_requested], S.not_amended, by=WINDOW_CLOSERS, stops=["W4"]),
        # Asking is forbidden on this marketplace (or pointless): the case ends without W3.
        on("end-without-amendment", "W3", [S.answered, S.explained], S.not_amended, by=STAFF),
        on("report", "E2", [S.malicious], S.reported, by=STAFF),
        on("flag", "E3", [S.reported], S.flagged, by=STAFF),
        # The marketplace re-sends the review: changed to good ends the case (W5) and its
        # follow-ups; still bad is recorded on the case.
        on("amended", "W5", OPEN_STATES, S.amended, by=SERVICE, stops=["W1", "W4"]),
        on("still-bad", "W4", OPEN_STATES, None, by=SERVICE),
    ],
    policies=POLICIES,
)
