"""The complaint's state machine (PROCESSES.md §4): which action, at which step, from which
states, by whom, and the clocks each moves (applied by aftersales_workflow).

Clocks: §4.2 a named owner within 1 h, §4.3 a first reply within 2 h, §4.4 the merchant's
public reply within 1 wd (forum and Weibo only), §4.5 the dedicated person's turn on a phone
complaint before it falls back to anyone. Waiting on the customer pauses the complaint's
clocks; a merge stops the absorbed complaint's (the earliest complaint's clocks are kept)."""

from __future__ import annotations

from aftersales_chassis.roles import MERCHANT, SERVICE, STAFF, SUPERVISOR
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import ComplaintState as S

CLOCKS = ("§4.2", "§4.3", "§4.4", "§4.5")
LIVE = (S.open, S.routed, S.assigned, S.waiting)
INTAKE = (*SERVICE, *STAFF)  # channel gateways, and agents recording one by hand
SIDE_EFFECTS = frozenset({"absorb", "release", "customer_message", "fall_back"})
"""Rows the service takes itself, as the effect of another action (a merge, an e-mail reply, a
clock running out): in the audit trail, never offered as an action."""

COMPLAINT_FLOW = Workflow(
    "complaint",
    S,
    [
        on("open", "§4", [NEW], S.open, by=INTAKE, starts=["§4.2", "§4.3"]),
        on("open", "§4.4", [NEW], S.open, outcome="public", by=INTAKE, starts=["§4.2", "§4.3", "§4.4"]),
        on("open", "§4.5", [NEW], S.routed, outcome="phone", by=INTAKE, starts=["§4.2", "§4.3", "§4.5"]),
        # The same customer about the same order again, on any channel: one complaint, not six.
        on("open", "§4", [NEW], S.merged, outcome="merged", by=INTAKE),
        on("accept", "§4.5", [S.routed], S.assigned, by=STAFF, stops=["§4.5", "§4.2"]),
        on("fall_back", "§4.5", [S.routed], S.open, by=SERVICE, stops=["§4.5"]),
        on("assign", "§4.2", [S.open, S.routed, S.assigned], S.assigned, by=STAFF, stops=["§4.2", "§4.5"]),
        on("reply", "§4.3", LIVE, None, by=STAFF, stops=["§4.3"]),
        on("merchant_reply", "§4.4", LIVE, None, by=MERCHANT, stops=["§4.4"]),
        on("customer_message", "§4", LIVE, None, by=INTAKE),
        on("wait", "§4", [S.open, S.assigned], S.waiting, by=STAFF, pauses=["§4.2", "§4.3", "§4.4"]),
        on("resume", "§4", [S.waiting], S.open, outcome="open", by=INTAKE, resumes=["§4.2", "§4.3", "§4.4"]),
        on("resume", "§4", [S.waiting], S.assigned, outcome="assigned", by=INTAKE, resumes=["§4.2", "§4.3", "§4.4"]),
        on("prioritise", "§4", LIVE, None, by=SUPERVISOR),
        on("absorb", "§4", LIVE, None, by=INTAKE),
        on("merge", "§4", LIVE, S.merged, by=STAFF, stops=CLOCKS),
        on("unmerge", "§4", [S.merged], S.open, by=STAFF, starts=["§4.2", "§4.3"]),
        on("unmerge", "§4.4", [S.merged], S.open, outcome="public", by=STAFF, starts=["§4.2", "§4.3", "§4.4"]),
        on("release", "§4", LIVE, None, by=STAFF),
        on("close", "§4", LIVE, S.closed, by=STAFF, stops=CLOCKS),
        on("close", "§4", [S.merged], S.closed, outcome="with-primary", by=STAFF),
        on("reopen", "§4", [S.closed], S.open, by=STAFF, starts=["§4.2", "§4.3"]),
        on("reopen", "§4", [S.closed], S.assigned, outcome="owned", by=STAFF, starts=["§4.3"]),
    ],
    policies=POLICIES,
)
