"""The refund request's state machine (PROCESSES.md §6.1/§6.2): T1 routes it to a
cancellation (T1B1) or to T1A1, whose agreement is filed as a return (T1A2)."""

from __future__ import annotations

from aftersales_chassis.roles import CUSTOMER, SERVICE, STAFF
from aftersales_workflow import NEW, Workflow, on

from ..returns.state import CANCELLERS
from ..sla import POLICIES
from .models import RefundRequestState as S

# T1 intake: the customer (their own order), staff, or the shop frontend on the customer's behalf.
REQUESTERS = (*CUSTOMER, *STAFF, *SERVICE)

REFUND_REQUEST_FLOW = Workflow(
    "refund_request",
    S,
    [
        on("open", "T1", [NEW], S.open, by=REQUESTERS, starts=["T1"]),
        # T1: has the order shipped? Not shipped → a cancellation (unpaid: closed); shipped → T1A1.
        on("route", "T1", [S.open], S.cancellation, by=STAFF, outcome="not-shipped", stops=["T1"]),
        on("route", "T1", [S.open], S.closed, by=STAFF, outcome="unpaid", stops=["T1"]),
        on("route", "T1", [S.open], S.negotiating, by=STAFF, outcome="shipped", stops=["T1"], starts=["T1A1"]),
        # T1A1 ends with the agreement; filing it in the order system is T1A2's own 24 h.
        # Agreeing again (terms renegotiated) keeps the T1A2 clock that runs.
        on("agree", "T1A1", [S.negotiating], None, by=STAFF, stops=["T1A1"], starts=["T1A2"]),
        on("file", "T1A2", [S.negotiating], S.filed, by=STAFF, stops=["T1A1", "T1A2"]),
        on("withdraw", "T1", [S.open], S.withdrawn, by=CANCELLERS, stops=["T1"]),
        on("withdraw", "T1A1", [S.negotiating], S.withdrawn, by=CANCELLERS, stops=["T1A1", "T1A2"]),
    ],
    policies=POLICIES,
)
