"""The case's state machines (PROCESSES.md §3), one table per kind: C (§3.1), K (§3.2) and
P (§3.3) share the remedy steps C3 … C3B2 they all continue at. Applied by aftersales_workflow;
every case's clocks include the 30 wd cycle (§3), started when it opens and stopped when it ends."""

from __future__ import annotations

from dataclasses import dataclass

from aftersales_chassis.roles import QC, SERVICE, STAFF, SUPERVISOR, WAREHOUSE
from aftersales_workflow import NEW, Transition, Workflow, on

from ..sla import POLICIES
from .models import CaseKind
from .models import CaseState as S

CYCLE = "§3"

FOLLOW_RETURN = "follow-return"
"""Not an agent's action: returns' events move it (consumers.py), so the API does not offer it."""
RETURN_STEPS = {
    "filed": "T1A2",
    "cancelled": "T1A2",
    "approved": "T1A3",
    "rejected": "T1A3",
    "received": "T1A5",
    "refund-approved": "T2A",
    "refund-issued": "T1B2",
    "stocked-in": "T1B3",
    "exchange-shipped": "T3A2",
}
"""What returns reports of the return a case handed over (its outcome), and the §6 step of each."""

# C3 … C3B2: the remedy, where every kind continues (seed 000 §7.1 3)-7), §7.2 3), §7.3.1 5)).
_REMEDY = [
    on("choose-remedy", "C3A", [S.negotiating], S.return_requested, by=STAFF, outcome="return", stops=[CYCLE]),
    on("choose-remedy", "C3B", [S.negotiating], S.discount_agreed, by=STAFF, outcome="discount", starts=["C3B1"]),
    on(
        "request-abnormal-refund",
        "C3B1",
        [S.discount_agreed],
        S.refund_requested,
        by=STAFF,
        stops=["C3B1"],
        starts=["C3B2"],
    ),
    on(
        "approve-abnormal-refund",
        "C3B2",
        [S.refund_requested],
        S.refunded,
        by=SUPERVISOR,
        stops=["C3B2", CYCLE],
    ),
    # Refused: back to C3B1, where the agent may agree a smaller discount (its clock again).
    on(
        "reject-abnormal-refund",
        "C3B2",
        [S.refund_requested],
        S.discount_agreed,
        by=SUPERVISOR,
        stops=["C3B2"],
        starts=["C3B1"],
    ),
    on("close", "C3", [S.negotiating, S.discount_agreed], S.closed, by=STAFF, stops=["C3B1", CYCLE]),
    *[
        # C3A / P2A2 handed the customer to returns: the case has ended and stays so, and records
        # each step of the return it follows (§6), as returns reports it (the state stays).
        on(FOLLOW_RETURN, step, [S.return_requested], None, by=SERVICE, outcome=outcome)
        for outcome, step in RETURN_STEPS.items()
    ],
]


def _accepting(step: str) -> list[Transition]:
    """C1 / K1 / P1: the case opens accepted, waiting for evidence; it may be closed there."""
    return [
        on("open", step, [NEW], S.evidence, by=STAFF, starts=[step, CYCLE]),
        on("close", step, [S.evidence], S.closed, by=STAFF, stops=[step, CYCLE]),
    ]


C_FLOW = Workflow(
    "case",
    S,
    [
        *_accepting("C1"),
        on("investigate", "C1", [S.evidence], S.investigating, by=STAFF, stops=["C1"], starts=["C2"]),
        on("record-finding", "C2", [S.investigating], S.negotiating, by=WAREHOUSE, stops=["C2"]),
        *_REMEDY,
    ],
    policies=POLICIES,
)

K_FLOW = Workflow(
    "case",
    S,
    [
        *_accepting("K1"),
        on("investigate", "K1", [S.evidence], S.investigating, by=STAFF, stops=["K1"]),
        # K2: the logistics group (物流组, role warehouse) assigns liability, the courier named.
        on("assign-liability", "K2", [S.investigating], S.negotiating, by=WAREHOUSE),
        *_REMEDY,
    ],
    policies=POLICIES,
)

P_FLOW = Workflow(
    "case",
    S,
    [
        *_accepting("P1"),
        # P2: the agent judges; a quality problem (P2B) files the OA complaint form (P2B1).
        on("judge", "P2B", [S.evidence], S.oa_pending, by=STAFF, outcome="quality", stops=["P1"], starts=["P2B1"]),
        on("judge", "P2A", [S.evidence], S.explaining, by=STAFF, outcome="not-quality", stops=["P1"]),
        on("approve-oa-form", "P2B1", [S.oa_pending], S.inspecting, by=SUPERVISOR, stops=["P2B1"], starts=["P2B2"]),
        on("record-inspection", "P2B2", [S.inspecting], S.inspected, by=QC, stops=["P2B2"], starts=["P2B3"]),
        on("inform-customer", "P2B3", [S.inspected], S.negotiating, by=STAFF, stops=["P2B3"]),
        on("explain", "P2A1", [S.explaining], S.explained, by=STAFF),
        on("request-return", "P2A2", [S.explained], S.return_requested, by=STAFF, stops=[CYCLE]),
        on("close", "P2A1", [S.explained], S.closed, by=STAFF, stops=[CYCLE]),
        *_REMEDY,
    ],
    policies=POLICIES,
)

FLOWS: dict[CaseKind, Workflow] = {CaseKind.C: C_FLOW, CaseKind.K: K_FLOW, CaseKind.P: P_FLOW}


@dataclass(frozen=True)
class NextStep:
    step: str
    who: str
    what: str


_ACCEPT = "customer service accepts the case; please send photos or documents as evidence"
_REMEDY_NEXT = {
    S.negotiating: NextStep("C3", "agent", "customer service agrees a remedy with you"),
    S.discount_agreed: NextStep("C3B1", "agent", "customer service creates the refund for the agreed discount"),
    S.refund_requested: NextStep("C3B2", "supervisor", "a supervisor approves the refund"),
}
NEXT_STEPS: dict[CaseKind, dict[S, NextStep]] = {
    CaseKind.C: {
        S.evidence: NextStep("C1", "agent", _ACCEPT),
        S.investigating: NextStep("C2", "warehouse", "the warehouse checks what was shipped"),
        **_REMEDY_NEXT,
    },
    CaseKind.K: {
        S.evidence: NextStep("K1", "agent", _ACCEPT),
        S.investigating: NextStep("K2", "logistics", "the logistics group checks with the courier company"),
        **_REMEDY_NEXT,
    },
    CaseKind.P: {
        S.evidence: NextStep("P1", "agent", _ACCEPT),
        S.oa_pending: NextStep("P2B1", "supervisor", "the complaint form is approved; send the product back"),
        S.inspecting: NextStep("P2B2", "qc", "quality control inspects the product"),
        S.inspected: NextStep("P2B3", "agent", "customer service tells you the inspection's result"),
        S.explaining: NextStep("P2A1", "agent", "customer service explains the assessment"),
        S.explained: NextStep("P2A2", "agent", "tell customer service whether you still want to return it"),
        **_REMEDY_NEXT,
    },
}
"""What happens next, as the customer's view shows it (nothing once the case has ended)."""
