"""The pre-sale discount's state machine (A5), applied by aftersales_workflow. Who may grant
alone is decided by the use case (the order's running total against the agents' limit); the
four-eyes rule (approver ≠ requester) too."""

from __future__ import annotations

from aftersales_chassis.roles import STAFF, SUPERVISOR
from aftersales_workflow import NEW, Workflow, on

from ..sla import POLICIES
from .models import DiscountState as S

DISCOUNT_FLOW = Workflow(
    "presale_discount",
    S,
    [
        on("open", "A5", [NEW], S.granted, outcome="within-authority", by=STAFF),
        on("open", "A5", [NEW], S.pending, outcome="needs-supervisor", by=STAFF),
        on("approve", "A5", [S.pending], S.approved, by=SUPERVISOR),
        on("reject", "A5", [S.pending], S.rejected, by=SUPERVISOR),
    ],
    policies=POLICIES,
    subject=lambda record: str(record.order_id),  # an order's discounts stay in order on the topic
)
