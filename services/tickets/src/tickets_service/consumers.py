"""Thin event handlers of the tickets service: event type → a handler calling a feature's service:
order facts, its own clock breaches, the call centre's complaint calls, and the steps of a return
an after-sale case handed over."""

from __future__ import annotations

from aftersales_chassis import SystemClock
from aftersales_events import EventContext, EventPayload, Handler
from aftersales_events.catalogue import callcenter, orders
from aftersales_events.catalogue import reviews as rev
from aftersales_events.catalogue.sla import SLA_BREACHED, SlaBreachedBase

from .cases.returns_followed import FOLLOWED, follow_return_event
from .complaints.calls import complaint_call
from .complaints.service import on_clock_breached
from .flags.service import FlagService
from .inquiries.service import convert_on_order
from .orders.service import apply_order_fact


async def order_fact(ctx: EventContext, event: orders.OrderFact) -> None:
    """OrderPlaced/OrderPaid/OrderCancelled → the order read model complaints link to."""
    await apply_order_fact(ctx.session, event)


async def order_placed(ctx: EventContext, event: orders.OrderPlaced) -> None:
    """OrderPlaced → the read model, then §1: the customer's inquiries whose window holds it convert."""
    await apply_order_fact(ctx.session, event)
    await convert_on_order(ctx.session, ctx.resources, event)


async def clock_breached(ctx: EventContext, event: SlaBreachedBase) -> None:
    """Tickets' own SlaBreached: §4.5 running out sends a phone complaint to anyone (USERONLY → ANYONE)."""
    await on_clock_breached(ctx.session, ctx.resources, event)


async def customer_flagged(ctx: EventContext, event: rev.CustomerFlagged) -> None:
    """E3 from reviews: kept, shown to staff on the customer's complaints and cases."""
    await FlagService(ctx.session).keep(event, getattr(ctx.resources, "clock", None) or SystemClock())


async def inbound_complaint_call(ctx: EventContext, event: callcenter.InboundComplaintCall) -> None:
    """§7.1 → §4: the call centre's complaint call, a phone complaint routed to the named owner."""
    await complaint_call(ctx.session, ctx.resources, event)


async def return_step(ctx: EventContext, event: EventPayload) -> None:
    """C3A / P2A2: a case that handed its customer to returns follows the return (§6), by the order."""
    await follow_return_event(ctx.session, ctx.resources, event)


HANDLERS: dict[type[EventPayload], Handler] = {
    orders.OrderPlaced: order_placed,
    orders.OrderPaid: order_fact,
    orders.OrderCancelled: order_fact,
    SLA_BREACHED["tickets"]: clock_breached,
    rev.CustomerFlagged: customer_flagged,
    callcenter.InboundComplaintCall: inbound_complaint_call,
    **dict.fromkeys(FOLLOWED, return_step),
}
