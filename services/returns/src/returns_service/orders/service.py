"""The order-facts intake: each fact is applied to the read model and published once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, RuleViolation
from aftersales_events import EventPayload, record_event
from aftersales_events.catalogue import orders as ev

from . import schemas
from .models import Order, OrderFactReceipt, OrderStatus
from .repository import OrderRepository

# Facts can arrive late or twice; the status only ever moves forward.
_RANK = {OrderStatus.placed: 0, OrderStatus.paid: 1, OrderStatus.shipped: 2, OrderStatus.signed: 3}


def _advance(order: Order, status: OrderStatus) -> None:
    if order.status == OrderStatus.cancelled:
        return
    if status == OrderStatus.cancelled or _RANK[status] > _RANK[OrderStatus(order.status)]:
        order.status = status


class OrderFactsService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.orders = OrderRepository(session)

    async def take_in(self, fact: schemas.OrderFactIn) -> schemas.FactOut:
        receipt = OrderFactReceipt(
            shop_event_id=fact.shop_event_id, order_id=fact.order_id, kind=fact.kind, received_at=self.clock.now()
        )
        if not await self.orders.claim_fact(receipt):
            known = await self.orders.find(fact.order_id, lines=False)
            return schemas.FactOut(
                shop_event_id=fact.shop_event_id, order_id=fact.order_id, outcome="duplicate",
                order_status=known.status if known is not None else "unknown",
            )  # fmt: skip
        if isinstance(fact, schemas.PlacedIn):
            total_minor = await self._place(fact)
            status: str = OrderStatus.placed
            payload: EventPayload = ev.OrderPlaced(
                order_id=fact.order_id,
                shop_event_id=fact.shop_event_id,
                occurred_at=fact.occurred_at,
                merchant_id=fact.merchant_id,
                customer_id=fact.customer_id,
                contact=ev.CustomerContact(**fact.contact.model_dump()),
                lines=[ev.OrderLine(**line.model_dump()) for line in fact.lines],
                total_minor=total_minor,
                currency=fact.currency,
                channel=fact.channel,
            )
        else:
            order = await self.orders.find(fact.order_id, for_update=True, lines=False)
            if order is None:
                raise RuleViolation(
                    "order-facts.placed-first",
                    f"order {fact.order_id} has no 'placed' fact yet; send it first, then resend this one",
                    field="body.order_id",
                )
            payload = self._apply(order, fact)
            status = order.status
        await record_event(self.session, payload, subject=fact.order_id, at=self.clock.now())
        return schemas.FactOut(
            shop_event_id=fact.shop_event_id, order_id=fact.order_id, outcome="applied", order_status=status
        )

    async def _place(self, fact: schemas.PlacedIn) -> int:
        """Records the new order and its lines; its total in minor units."""
        if len({line.sku for line in fact.lines}) != len(fact.lines):
            raise RuleViolation("order-facts.unique-skus", "each sku may appear once per order", field="body.lines")
        total_minor = sum(line.quantity * line.unit_price_minor for line in fact.lines)
        order = {
            "order_id": fact.order_id, "merchant_id": fact.merchant_id, "customer_id": fact.customer_id,
            "customer_name": fact.contact.name, "customer_phone": fact.contact.phone, "address": fact.contact.address,
            "currency": fact.currency, "total_minor": total_minor, "paid_minor": 0, "status": str(OrderStatus.placed),
            "placed_at": fact.occurred_at,
        }  # fmt: skip
        if not await self.orders.place(order, [line.model_dump() for line in fact.lines]):
            raise RuleViolation(  # nothing was written; the unit of work rolls the fact's receipt back
                "order-facts.placed-once", f"order {fact.order_id} was already placed", field="body.order_id"
            )
        return total_minor

    def _apply(self, order: Order, fact: schemas.OrderFactIn) -> EventPayload:
        common = {
            "order_id": fact.order_id,
            "shop_event_id": fact.shop_event_id,
            "occurred_at": fact.occurred_at,
            "merchant_id": order.merchant_id,
        }
        if isinstance(fact, schemas.PaidIn):
            order.paid_minor, order.paid_at = fact.paid_minor, fact.occurred_at
            _advance(order, OrderStatus.paid)
            return ev.OrderPaid(**common, paid_minor=fact.paid_minor, currency=order.currency)
        if isinstance(fact, schemas.ShippedIn):
            order.courier, order.tracking_number, order.shipped_at = (
                fact.courier,
                fact.tracking_number,
                fact.occurred_at,
            )
            _advance(order, OrderStatus.shipped)
            return ev.OrderShipped(**common, courier=fact.courier, tracking_number=fact.tracking_number)
        if isinstance(fact, schemas.SignedIn):
            order.signed_at = fact.occurred_at
            _advance(order, OrderStatus.signed)
            return ev.OrderSignedFor(**common)
        assert isinstance(fact, schemas.CancelledIn)
        order.cancelled_at = fact.occurred_at
        _advance(order, OrderStatus.cancelled)
        return ev.OrderCancelled(**common, reason=fact.reason, by=fact.by)

    async def get(self, order_id: str) -> schemas.OrderOut:
        return schemas.OrderOut.model_validate(await self.orders.get(order_id))
