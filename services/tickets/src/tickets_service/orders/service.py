"""Applying order facts to the read model (called by the thin handlers in consumers.py)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_events.catalogue import orders

from .repository import OrderRepository


async def apply_order_fact(session: AsyncSession, event: orders.OrderFact) -> None:
    """One fact into the read model. Idempotent twice over: the consumer runner records each
    event id once, and the upsert keeps what is already known."""
    facts: dict[str, object] = {"merchant_id": event.merchant_id}
    if isinstance(event, orders.OrderPlaced):
        facts |= {
            "customer_id": event.customer_id,
            "currency": event.currency,
            "total_minor": event.total_minor,
            "placed_at": event.occurred_at,
        }
    elif isinstance(event, orders.OrderPaid):
        facts |= {"currency": event.currency, "paid_minor": event.paid_minor, "paid_at": event.occurred_at}
    elif isinstance(event, orders.OrderCancelled):
        facts |= {"cancelled_at": event.occurred_at}
    await OrderRepository(session).merge_facts(event.order_id, event.occurred_at, facts)
