"""The settlement's state machine (PROCESSES.md §8, ADR 0008): a draft is computed and may
be recomputed until another finance user approves it, which freezes it; an approved one is
booked once. The 10th's job (a service principal) opens and recomputes drafts. Four eyes
(the approver is not the draft's creator) and a current draft are rules of the use case,
not of the table; the database freezes approved and booked ones whatever (finance_0005)."""

from __future__ import annotations

from aftersales_chassis.roles import FINANCE, SERVICE
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import SettlementStatus as S

# Who drafts: finance, and the 10th's job with its service principal.
DRAFTER = (*FINANCE, *SERVICE)

SETTLEMENT_FLOW = Workflow(
    "settlement",
    S,
    [
        on("open", "§8", [NEW], S.draft, by=DRAFTER),
        on("recompute", "§8", [S.draft], S.draft, by=DRAFTER),
        on("approve", "§8", [S.draft], S.approved, by=FINANCE),
        on("book", "§8", [S.approved], S.booked, by=FINANCE),
    ],
    policies=POLICIES,
    state_attribute="status",
    touches=None,  # approved_at and booked_at say when; a draft says computed_at
)
