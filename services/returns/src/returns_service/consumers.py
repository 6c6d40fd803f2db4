"""Thin handlers: the returns service pays out the refunds it approved (T1B2)."""

from __future__ import annotations

from aftersales_events import EventContext, EventPayload, Handler
from aftersales_events.catalogue import returns as ev

from .payments import PaymentPort, RefundRequest
from .refunds import record_refund_issued
from .repository import ReturnRepository


async def issue_refund(ctx: EventContext, event: ev.RefundApproved) -> None:
    """Calls the payment port (idempotent by refund id) and records RefundIssued."""
    if event.refund_id is None or event.return_id is None:
        return  # not a return's refund
    record = await ReturnRepository(ctx.session).get_by_refund(event.refund_id, for_update=True)
    if record is None or record.refund_issued_at is not None:
        return
    port: PaymentPort = ctx.resources.payments
    reference = await port.refund(
        RefundRequest(event.refund_id, event.order_id, event.amount_minor, event.currency, event.method)
    )
    await record_refund_issued(ctx.session, ctx.resources.clock, record, reference)


HANDLERS: dict[type[EventPayload], Handler] = {ev.RefundApproved: issue_refund}
