"""Thin handlers: what finance books from other services' events."""

from __future__ import annotations

from aftersales_chassis import SystemClock
from aftersales_events import EventContext, EventPayload, Handler
from aftersales_events.catalogue import returns as ret

from .chart import AccountCode
from .service import LedgerService, Leg


async def book_refund_approved(ctx: EventContext, event: ret.RefundApproved) -> None:
    """T2A → T5: the refund becomes a payable to the customer.

    Dr sales returns (goods) + Dr freight refunds (freight) = Cr customer refunds payable.
    """
    ledger = LedgerService(ctx.session, SystemClock())
    await ledger.book(
        source=f"event:{ctx.envelope.id}",
        description=f"Refund approved for return {event.return_id} (order {event.order_id})",
        currency=event.currency,
        effective_at=event.approved_at,
        legs=[
            Leg(AccountCode.sales_returns, event.goods_minor),
            Leg(AccountCode.freight_refunds, event.freight_minor),
            Leg(AccountCode.customer_refunds_payable, -event.amount_minor),
        ],
        details={
            "event_type": ctx.envelope.type,
            "return_id": str(event.return_id),
            "order_id": event.order_id,
            "method": event.method,
            "approved_by": event.approved_by,
            "step": "T2A",
        },
    )


HANDLERS: dict[type[EventPayload], Handler] = {ret.RefundApproved: book_refund_approved}
