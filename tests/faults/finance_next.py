"""finance as deployed once it knows ``RefundApproved`` v2 (issue 23, scenario 6): the fix
after which the v2 events it parked in the DLQ are replayed. Started as a process by the
scenario (``uvicorn tests.faults.finance_next:app``); the v2 contract lives here, not in the
catalogue, because no producer sends it yet."""

from __future__ import annotations

from dataclasses import replace

from aftersales_chassis import create_app
from aftersales_events import event
from aftersales_events.catalogue import returns as ret
from finance_service.main import definition


@event("returns", "RefundApproved", version=2, register=False)
class RefundApprovedV2(ret.RefundApproved):
    """v2: a refund approved, with why (booked as v1 is)."""

    reason_code: str


app = create_app(
    replace(definition, handlers={**definition.handlers, RefundApprovedV2: definition.handlers[ret.RefundApproved]})
)
