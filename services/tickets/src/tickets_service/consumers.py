"""Thin event handlers of the tickets service: event type → a handler calling a feature's service."""

from __future__ import annotations

from aftersales_chassis import SystemClock
from aftersales_events import EventContext, EventPayload, Handler
from aftersales_events.catalogue import orders
from aftersales_events.catalogue import reviews as rev
from aftersales_events.catalogue.sla import SLA_BREACHED, SlaBreachedBase

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


HANDLERS: dict[type[EventPayload], Handler] = {
    orders.OrderPlaced: order_fact,
    orders.OrderPaid: order_fact,
    orders.OrderCancelled: order_fact,
    SLA_BREACHED["tickets"]: clock_breached,
    rev.CustomerFlagged: customer_flagged,
}
