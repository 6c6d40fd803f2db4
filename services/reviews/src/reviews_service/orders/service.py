"""The orders read model kept from the returns service's order facts. Replays and facts
arriving out of order leave the same row (the consumer also drops an event seen before)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound
from aftersales_events.catalogue import orders as ev

from . import schemas
from .repository import OrderRepository


class OrderReadModel:
    def __init__(self, session: AsyncSession) -> None:
        self.orders = OrderRepository(session)

    async def placed(self, event: ev.OrderPlaced) -> None:
        await self.orders.upsert(
            event.order_id,
            customer_id=event.customer_id,
            phone=event.contact.phone or None,
            customer_name=event.contact.name or None,
            merchant_id=event.merchant_id,
            currency=event.currency,
            total_minor=event.total_minor,
            placed_at=event.occurred_at,
        )

    async def paid(self, event: ev.OrderPaid) -> None:
        await self.orders.upsert(
            event.order_id,
            merchant_id=event.merchant_id,
            currency=event.currency,
            paid_minor=event.paid_minor,
            paid_at=event.occurred_at,
        )

    async def get(self, order_id: str) -> schemas.OrderOut:
        order = await self.orders.find(order_id)
        if order is None:
            raise NotFound(f"order {order_id} is not known to reviews", resource="order", id=order_id)
        return schemas.OrderOut.model_validate(order)
