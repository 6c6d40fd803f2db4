"""Thin handlers: the returns service pays out the refunds it approved (T1B2), and opens T1 for a
customer an after-sale case hands over (C3A / P2A2)."""

from __future__ import annotations

from aftersales_events import EventContext, EventPayload, Handler
from aftersales_events.catalogue import returns as ev
from aftersales_events.catalogue import tickets as tix
from aftersales_sla import SlaClocks

from .cancellations.repository import CancellationRepository
from .cancellations.service import record_cancellation_refund_issued
from .payments import PaymentPort, RefundRequest
from .requests.handover import open_for_case
from .returns.refunds import record_refund_issued
from .returns.repository import ReturnRepository
from .sla import POLICIES


async def issue_refund(ctx: EventContext, event: ev.RefundApproved) -> None:
    """Calls the payment port (idempotent by refund id) and records RefundIssued."""
    if event.refund_id is None:
        return
    port: PaymentPort = ctx.resources.payments
    request = RefundRequest(event.refund_id, event.order_id, event.amount_minor, event.currency, event.method)
    if event.kind == "cancellation":
        cancellation = await CancellationRepository(ctx.session).by_refund(event.refund_id, for_update=True)
        if cancellation is not None and cancellation.refund_issued_at is None:
            await record_cancellation_refund_issued(ctx.session, ctx.resources.clock, cancellation,
                                                    await port.refund(request))  # fmt: skip
        return
    record = await ReturnRepository(ctx.session).get_by_refund(event.refund_id, for_update=True)
    if record is None or record.refund_issued_at is not None:
        return
    await record_refund_issued(ctx.session, ctx.resources.clock, record, await port.refund(request))


async def after_sale_return(ctx: EventContext, event: tix.AfterSaleReturnRequested) -> None:
    """C3A / P2A2: the case's customer wants to return the goods: a refund request at T1."""
    clock = ctx.resources.clock
    calendar = await ctx.resources.calendar_provider.current(ctx.session)
    await open_for_case(ctx.session, clock, SlaClocks(ctx.session, calendar, POLICIES, clock.now()), event)


HANDLERS: dict[type[EventPayload], Handler] = {
    ev.RefundApproved: issue_refund,
    tix.AfterSaleReturnRequested: after_sale_return,
}
