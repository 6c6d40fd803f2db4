"""Thin event handlers of the callcenter service: event type → a handler calling a feature's service."""

from __future__ import annotations

from aftersales_calendar import default_calendar
from aftersales_chassis import Clock, SystemClock
from aftersales_events import EventContext, EventPayload, Handler
from aftersales_events.catalogue import orders, tickets
from aftersales_events.catalogue import returns as ret
from aftersales_events.catalogue import reviews as rev
from aftersales_sla import SlaClocks

from .orders.service import OrdersService
from .reminders.service import ReminderService
from .reviews.service import ReviewCallService
from .settings import settings_of
from .sla import POLICIES

_SYSTEM_CLOCK = SystemClock()


async def _orders(ctx: EventContext) -> OrdersService:
    """The use cases on the service's clock and calendar (a bare runner: the system's and the default)."""
    clock: Clock = getattr(ctx.resources, "clock", None) or _SYSTEM_CLOCK
    provider = getattr(ctx.resources, "calendar_provider", None)
    calendar = await provider.current(ctx.session) if provider is not None else default_calendar()
    sla = SlaClocks(ctx.session, calendar, POLICIES, clock.now())
    return OrdersService(ctx.session, clock, ReminderService(ctx.session, clock, sla, settings_of(ctx.resources)))


async def order_placed(ctx: EventContext, event: orders.OrderPlaced) -> None:
    """The order's facts; a W1 review call parked for want of its number opens now."""
    service = await _orders(ctx)
    order = await service.placed(
        event.order_id, customer_id=event.customer_id, phone=event.contact.phone, name=event.contact.name,
        total_minor=event.total_minor, currency=event.currency, placed_at=event.occurred_at,
    )  # fmt: skip
    await ReviewCallService(service.callbacks).order_phone_known(order)


async def order_paid(ctx: EventContext, event: orders.OrderPaid) -> None:
    await (await _orders(ctx)).paid(event.order_id, event.occurred_at)


async def order_cancelled(ctx: EventContext, event: orders.OrderCancelled) -> None:
    """A cancelled order is not reminded to pay (§2)."""
    await (await _orders(ctx)).reminders.paid(event.order_id, "order cancelled")


async def order_signed_for(ctx: EventContext, event: orders.OrderSignedFor) -> None:
    await (await _orders(ctx)).signed_for(event.order_id, event.occurred_at)


async def return_requested(ctx: EventContext, event: ret.ReturnRequested) -> None:
    await (await _orders(ctx)).return_or_complaint_opened(event.order_id, f"return {event.return_id} requested")


async def complaint_opened(ctx: EventContext, event: tickets.ComplaintOpened) -> None:
    if event.order_id is not None:
        await (await _orders(ctx)).return_or_complaint_opened(event.order_id, f"complaint {event.complaint_id} opened")


async def _reviews(ctx: EventContext) -> ReviewCallService:
    return ReviewCallService((await _orders(ctx)).callbacks)


async def review_call_requested(ctx: EventContext, event: rev.ReviewCallRequested) -> None:
    """§5 W1: the 24 h call as a callback task."""
    await (await _reviews(ctx)).requested(event)


async def review_case_closed(ctx: EventContext, event: rev.ReviewCaseClosed) -> None:
    """W5 (or not amended, or E3): the case's open call is withdrawn."""
    await (await _reviews(ctx)).closed(event)


async def customer_flagged(ctx: EventContext, event: rev.CustomerFlagged) -> None:
    """E3: the flag kept and shown on the customer's call tasks."""
    await (await _reviews(ctx)).flagged(event)


HANDLERS: dict[type[EventPayload], Handler] = {
    orders.OrderPlaced: order_placed,
    orders.OrderPaid: order_paid,
    orders.OrderSignedFor: order_signed_for,
    orders.OrderCancelled: order_cancelled,
    ret.ReturnRequested: return_requested,
    tickets.ComplaintOpened: complaint_opened,
    rev.ReviewCallRequested: review_call_requested,
    rev.ReviewCaseClosed: review_case_closed,
    rev.CustomerFlagged: customer_flagged,
}
