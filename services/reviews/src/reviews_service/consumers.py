"""Thin event handlers of the reviews service: event type → a handler calling a feature's service."""

from aftersales_events import EventContext, EventPayload, Handler
from aftersales_events.catalogue import orders as ev

from .orders.service import OrderReadModel


async def order_placed(ctx: EventContext, event: ev.OrderPlaced) -> None:
    await OrderReadModel(ctx.session).placed(event)


async def order_paid(ctx: EventContext, event: ev.OrderPaid) -> None:
    await OrderReadModel(ctx.session).paid(event)


HANDLERS: dict[type[EventPayload], Handler] = {ev.OrderPlaced: order_placed, ev.OrderPaid: order_paid}
