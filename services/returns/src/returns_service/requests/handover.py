"""C3A / P2A2 (PROCESSES.md §3 → §6): an after-sale case in tickets hands over a customer who
wants to return the goods (AfterSaleReturnRequested). Returns opens a refund request for the
order at T1, as if the customer had asked here: the agent routes it (shipped → T1A1) and files
the return (T1A2) as for any other request. The case id is carried in the request's reason
and its audit trail, so the agent and the back office see which case it came from."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, Principal, Role, RuleViolation
from aftersales_events.catalogue.tickets import AfterSaleReturnRequested
from aftersales_sla import SlaClocks

from . import schemas
from .service import RefundRequestsService

log = logging.getLogger(__name__)

TICKETS = Principal("tickets", frozenset({Role.service}))
"""The tickets service, handing the customer over (T1's intake admits the role ``service``)."""

REASON_LIMIT = 500  # RefundRequestIn.reason's max_length


def handover_reason(event: AfterSaleReturnRequested) -> str:
    """The request's reason: the case it came from first (searchable), then the customer's words."""
    head = f"after-sale case {event.case_id} ({event.case_kind}, {event.step}, by {event.requested_by})"
    return f"{head}: {event.reason}"[:REASON_LIMIT] if event.reason else head


async def open_for_case(
    session: AsyncSession, clock: Clock, sla: SlaClocks, event: AfterSaleReturnRequested
) -> schemas.RefundRequestOut | None:
    """T1 opened for the case's order. None, logged, when returns cannot take it: the order is
    unknown here or cancelled (422), or a request for it is already in progress (409: the
    customer already asked, and that request carries on). Nothing is written then; the runner
    records the event as processed, so a redelivery is not retried into the same answer."""
    data = schemas.RefundRequestIn(order_id=event.order_id, reason=handover_reason(event), channel="other")
    try:
        return await RefundRequestsService(session, clock, sla).open(data, TICKETS)
    except (RuleViolation, Conflict) as refused:
        log.warning(
            "after-sale hand-over not opened",
            extra={"case_id": str(event.case_id), "order_id": event.order_id, "step": event.step,
                   "refused": refused.detail},
        )  # fmt: skip
        return None
