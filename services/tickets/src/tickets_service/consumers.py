"""Thin event handlers of the tickets service: event type → a handler calling a feature's service:
order facts, its own clock breaches, the call centre's complaint calls, and the steps of a return
an after-sale case handed over."""

from __future__ import annotations

from aftersales_chassis import SystemClock
from aftersales_events import EventContext, EventPayload, Handler
from aftersales_events.catalogue import callcenter, orders
from aftersales_events.catalogue import returns as ret
from aftersales_events.catalogue import reviews as rev
from aftersales_events.catalogue.sla import SLA_BREACHED, SlaBreachedBase

from .cases.returns_followed import follow_return
from .complaints.calls import complaint_call
from .complaints.service import on_clock_breached
from .flags.service import FlagService
from .orders.service import apply_order_fact


async def order_fact(ctx: EventContext, event: orders.OrderFact) -> None:
    """OrderPlaced/OrderPaid/OrderCancelled → the order read model complaints link to."""
    await apply_order_fact(ctx.session, event)


async def clock_breached(ctx: EventContext, event: SlaBreachedBase) -> None:
    """Tickets' own SlaBreached: §4.5 running out sends a phone complaint to anyone (USERONLY → ANYONE)."""
    await on_clock_breached(ctx.session, ctx.resources, event)


async def customer_flagged(ctx: EventContext, event: rev.CustomerFlagged) -> None:
    """E3 from reviews: kept, shown to staff on the customer's complaints and cases."""
    await FlagService(ctx.session).keep(event, getattr(ctx.resources, "clock", None) or SystemClock())


async def inbound_complaint_call(ctx: EventContext, event: callcenter.InboundComplaintCall) -> None:
    """§7.1 → §4: the call centre's complaint call, a phone complaint routed to the named owner."""
    await complaint_call(ctx.session, ctx.resources, event)


# -- C3A / P2A2: the case follows the return it handed over (§6), by the order --------------------


async def return_filed(ctx: EventContext, event: ret.ReturnRequested) -> None:
    await follow_return(ctx.session, ctx.resources, event.order_id, "filed",
                        f"return {event.return_id} filed: {event.reason}")  # fmt: skip


async def return_approved(ctx: EventContext, event: ret.ReturnApproved) -> None:
    await follow_return(ctx.session, ctx.resources, event.order_id, "approved",
                        f"return {event.return_id} approved by {event.approved_by}")  # fmt: skip


async def return_rejected(ctx: EventContext, event: ret.ReturnRejected) -> None:
    await follow_return(ctx.session, ctx.resources, event.order_id, "rejected",
                        f"return {event.return_id} rejected: {event.reason}")  # fmt: skip


async def return_cancelled(ctx: EventContext, event: ret.ReturnCancelled) -> None:
    await follow_return(ctx.session, ctx.resources, event.order_id, "cancelled",
                        f"return {event.return_id} withdrawn: {event.reason}")  # fmt: skip


async def return_received(ctx: EventContext, event: ret.ReturnReceived) -> None:
    await follow_return(ctx.session, ctx.resources, event.order_id, "received",
                        f"return {event.return_id} received by the warehouse")  # fmt: skip


async def refund_approved(ctx: EventContext, event: ret.RefundApproved) -> None:
    if event.return_id is None:  # a cancellation's or a goodwill refund: not a return's outcome
        return
    note = f"return {event.return_id}: refund of {event.amount_minor} {event.currency} approved"
    await follow_return(ctx.session, ctx.resources, event.order_id, "refund-approved", note)


async def refund_issued(ctx: EventContext, event: ret.RefundIssued) -> None:
    if event.return_id is None:
        return
    await follow_return(ctx.session, ctx.resources, event.order_id, "refund-issued",
                        f"return {event.return_id}: {event.amount_minor} {event.currency} paid out")  # fmt: skip


async def stocked_in(ctx: EventContext, event: ret.ItemsStockedIn) -> None:
    await follow_return(ctx.session, ctx.resources, event.order_id, "stocked-in",
                        f"return {event.return_id}: goods back in stock")  # fmt: skip


async def exchange_shipped(ctx: EventContext, event: ret.ExchangeShipped) -> None:
    await follow_return(ctx.session, ctx.resources, event.order_id, "exchange-shipped",
                        f"return {event.return_id}: replacement {event.replacement_order_id} shipped")  # fmt: skip


HANDLERS: dict[type[EventPayload], Handler] = {
    orders.OrderPlaced: order_fact,
    orders.OrderPaid: order_fact,
    orders.OrderCancelled: order_fact,
    SLA_BREACHED["tickets"]: clock_breached,
    rev.CustomerFlagged: customer_flagged,
    callcenter.InboundComplaintCall: inbound_complaint_call,
    ret.ReturnRequested: return_filed,
    ret.ReturnApproved: return_approved,
    ret.ReturnRejected: return_rejected,
    ret.ReturnCancelled: return_cancelled,
    ret.ReturnReceived: return_received,
    ret.RefundApproved: refund_approved,
    ret.RefundIssued: refund_issued,
    ret.ItemsStockedIn: stocked_in,
    ret.ExchangeShipped: exchange_shipped,
}
