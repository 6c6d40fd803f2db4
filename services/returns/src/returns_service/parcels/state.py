"""The parcel's state machine after M1 (PROCESSES.md §6.3): customer service identifies an
unmatched parcel (M3 → M5) or records it unclaimed (M4–M6), whose owner may still claim it
(M5) until it is returned to the sender or disposed of (M6). M1's automatic matching creates
parcels already matched or unmatched, set-based in the scanners' batches, outside this table."""

from __future__ import annotations

from aftersales_chassis.roles import STAFF, WAREHOUSE
from aftersales_workflow import Workflow, on

from ..sla import POLICIES
from .models import ParcelStatus as S

# Seed 000 gives 24 h to M4–M6 (record a parcel nobody identified as unclaimed) and no time
# to M2–M3: the clock that runs from the hand-over to customer service is M4's.
STEP_IDENTIFY = "M4"

PARCEL_FLOW = Workflow(
    "parcel",
    S,
    [
        on("identify", "M3", [S.unmatched], S.matched, by=STAFF, stops=[STEP_IDENTIFY]),
        on("unclaimed", "M4", [S.unmatched], S.unclaimed, by=STAFF, stops=[STEP_IDENTIFY]),
        on("claim", "M5", [S.unclaimed], S.claimed, by=STAFF),
        on("disposition", "M6", [S.unclaimed], None, by=[*STAFF, *WAREHOUSE]),
    ],
    policies=POLICIES,
    state_attribute="status",
)
