"""The inquiry's state machine (PROCESSES.md §1), applied by aftersales_workflow.

A1 records it; it converts when its customer orders within the window (the system, from
returns' ``OrderPlaced``), or the agent records why it failed (a failed inquiry still converts
if the order comes within the window: the record and its reason are kept). A3's 24 h clock runs
from a question about a detail not on the product page to the answer; the question and the
answer do not change the inquiry's state."""

from __future__ import annotations

from aftersales_chassis.roles import SERVICE, STAFF
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import InquiryState as S

INTAKE = (*SERVICE, *STAFF)  # the shop-chat gateway, and agents recording one by hand
ANY = (S.open, S.converted, S.failed)
SIDE_EFFECTS = frozenset({"convert"})
"""Taken by the service itself (an order placed): in the audit trail, never offered as an action."""

INQUIRY_FLOW = Workflow(
    "inquiry",
    S,
    [
        on("open", "A1", [NEW], S.open, by=INTAKE),
        on("reply", "A3", ANY, None, by=INTAKE),
        on("ask_detail", "A3", ANY, None, by=INTAKE, starts=["A3"]),
        on("answer_detail", "A3", ANY, None, by=STAFF, stops=["A3"]),
        on("convert", "A1", [S.open, S.failed], S.converted, by=SERVICE),
        on("fail", "A1", [S.open], S.failed, by=STAFF),
        on("follow_up", "A1", [S.open, S.failed], None, by=STAFF),
    ],
    policies=POLICIES,
)
