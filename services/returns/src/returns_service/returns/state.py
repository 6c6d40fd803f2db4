"""The return's state machine (PROCESSES.md §6.2): which action, at which step, from which
states, by whom, and the clocks each moves. Applied by aftersales_workflow."""

from __future__ import annotations

from aftersales_chassis import Grant, Role
from aftersales_chassis.roles import CUSTOMER, SERVICE, STAFF, SUPERVISOR, WAREHOUSE
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import ReturnState as S

# T2A/T1B2 "supervisor-authorised agent": a supervisor, or an agent holding refund:approve.
REFUND_APPROVER = (*SUPERVISOR, Grant(Role.agent, "refund:approve"))
# Withdrawing a return or a refund request: the customer (their own order) or staff.
CANCELLERS = (*CUSTOMER, *STAFF)
# M: the parcel is logged by the scanners' matching (warehouse, service) or by customer
# service linking it by hand (M3, M5).
PARCEL_LINKERS = (*WAREHOUSE, *SERVICE, *STAFF)

RETURN_FLOW = Workflow(
    "return",
    S,
    [
        on("open", "T1A2", [NEW], S.requested, by=STAFF, starts=["T1A3"]),
        on("approve", "T1A3", [S.requested], S.approved, by=SUPERVISOR, stops=["T1A3"], starts=["T1A4"]),
        on("reject", "T1A3", [S.requested], S.rejected, by=SUPERVISOR, stops=["T1A3"]),
        on("enter-tracking", "T1A4", [S.approved], None, by=STAFF, stops=["T1A4"]),
        on("log-arrival", "M", [S.approved], None, by=PARCEL_LINKERS, starts=["T1A5"]),
        # T2A's 48 h to approve the refund (seed 000) and T2's 3 wd to have the refund or the
        # exchange done (seed 003) both run from receipt.
        on("receive", "T1A5", [S.approved], S.received, by=WAREHOUSE, stops=["T1A5", "T1A4"], starts=["T2A", "T2"]),
        on("refund", "T2A", [S.received], S.refunded, by=REFUND_APPROVER, stops=["T2A", "T2"], starts=["T1B3"]),
        # Supervisor-approved: refund with no parcel (goodwill, lost in transit).
        on("refund-without-parcel", "T2A", [S.approved], S.refunded, by=SUPERVISOR, stops=["T1A4", "T1A5"]),
        # Supervisor-approved: received, but the refund waits (inspection pending).
        on("hold-refund", "T2A", [S.received], None, by=SUPERVISOR, pauses=["T2A", "T2"]),
        on("release-refund", "T2A", [S.received], None, by=SUPERVISOR, resumes=["T2A", "T2"]),
        on("request-exchange", "T3A1", [S.received], S.exchange_requested, by=STAFF, stops=["T2A"]),
        on("ship-exchange", "T3A2", [S.exchange_requested], S.exchange_shipped, by=WAREHOUSE, stops=["T2"]),
        on("stock-in", "T1B3", [S.refunded], S.stocked_in, by=WAREHOUSE, stops=["T1B3"]),
        on("stock-in", "T3A4", [S.exchange_shipped], S.stocked_in, by=WAREHOUSE),
        on(
            "cancel",
            "T1A2",
            [S.requested, S.approved],
            S.cancelled,
            by=CANCELLERS,
            stops=["T1A3", "T1A4", "T1A5"],
        ),
    ],
    policies=POLICIES,
)
