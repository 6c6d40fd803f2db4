"""Finance's read models for merchant settlement, fed from order facts, cancellations,
complaints and deposit cancellations (never from another service's tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aftersales_events import EventContext, EventPayload, Handler
from aftersales_events.catalogue import callcenter as cc
from aftersales_events.catalogue import orders
from aftersales_events.catalogue import returns as ret
from aftersales_events.catalogue import tickets as tix

from ..settlement.repository import ORDER_FACTS_WRITER, OrderFact, SettlementRepository


async def _order_fact(ctx: EventContext, order_id: str, at: datetime, **facts: Any) -> None:
    """Deferred to the end of the consumer's batch: one upsert for all of its order facts."""
    await ctx.write(ORDER_FACTS_WRITER, OrderFact(order_id, at, facts))


async def order_placed(ctx: EventContext, event: orders.OrderPlaced) -> None:
    await _order_fact(
        ctx,
        event.order_id,
        event.occurred_at,
        merchant_id=event.merchant_id,
        currency=event.currency,
        total_minor=event.total_minor,
        placed_at=event.occurred_at,
    )


async def order_paid(ctx: EventContext, event: orders.OrderPaid) -> None:
    await _order_fact(
        ctx,
        event.order_id,
        event.occurred_at,
        merchant_id=event.merchant_id,
        currency=event.currency,
        paid_minor=event.paid_minor,
        paid_at=event.occurred_at,
    )


async def order_shipped(ctx: EventContext, event: orders.OrderShipped) -> None:
    await _order_fact(
        ctx, event.order_id, event.occurred_at, merchant_id=event.merchant_id, shipped_at=event.occurred_at
    )


async def order_signed_for(ctx: EventContext, event: orders.OrderSignedFor) -> None:
    await _order_fact(
        ctx, event.order_id, event.occurred_at, merchant_id=event.merchant_id, signed_at=event.occurred_at
    )


async def order_cancelled(ctx: EventContext, event: orders.OrderCancelled) -> None:
    await _order_fact(
        ctx, event.order_id, event.occurred_at, merchant_id=event.merchant_id, cancelled_at=event.occurred_at
    )


async def cancellation_refund(ctx: EventContext, event: ret.RefundApproved) -> None:
    """A refund of kind ``cancellation``: the order is being cancelled (6.1/6.4)."""
    if event.kind != "cancellation":
        return
    await _order_fact(
        ctx, event.order_id, event.approved_at, merchant_id=event.merchant_id, cancellation_pending_at=event.approved_at
    )


async def cancellation_confirmed(ctx: EventContext, event: ret.OrderCancellationConfirmed) -> None:
    """T1B1: the warehouse confirmed the cancellation; the order system's OrderCancelled ends it."""
    await _order_fact(ctx, event.order_id, event.confirmed_at, cancellation_pending_at=event.confirmed_at)
    await SettlementRepository(ctx.session).cancellation_hold(
        event.cancellation_id, order_id=event.order_id, resolved_at=event.confirmed_at, outcome="cancelled"
    )


async def cancellation_requested(ctx: EventContext, event: ret.OrderCancellationRequested) -> None:
    """T1B: a paid order is to be cancelled: held out of settlement until it resolves."""
    await SettlementRepository(ctx.session).cancellation_hold(
        event.cancellation_id, order_id=event.order_id, requested_at=event.requested_at
    )


async def intercept_requested(ctx: EventContext, event: ret.OrderInterceptRequested) -> None:
    """§6.4: a shipped order is being intercepted: held out of settlement until it resolves."""
    await SettlementRepository(ctx.session).cancellation_hold(
        event.cancellation_id, order_id=event.order_id, requested_at=event.requested_at
    )


async def intercept_succeeded(ctx: EventContext, event: ret.OrderInterceptSucceeded) -> None:
    """§6.4: the parcel came back: the order is being cancelled (excluded, as T1B1's are)."""
    await _order_fact(ctx, event.order_id, event.intercepted_at, cancellation_pending_at=event.intercepted_at)
    await SettlementRepository(ctx.session).cancellation_hold(
        event.cancellation_id, order_id=event.order_id, resolved_at=event.intercepted_at, outcome="cancelled"
    )


async def intercept_failed(ctx: EventContext, event: ret.OrderInterceptFailed) -> None:
    """§6.4: the parcel was delivered and kept: the hold ends and the order settles again."""
    await SettlementRepository(ctx.session).cancellation_hold(
        event.cancellation_id, order_id=event.order_id, resolved_at=event.failed_at, outcome="failed"
    )


async def complaint_opened(ctx: EventContext, event: tix.ComplaintOpened) -> None:
    """§8: an open complaint holds its order out of settlement; a reopened complaint (tickets
    publishes ComplaintOpened again) holds it again. Ordered by the event's time, since a
    reopening carries the complaint's first arrival as ``opened_at``."""
    await SettlementRepository(ctx.session).complaint_opened(
        event.complaint_id, order_id=event.order_id, merchant_id=event.merchant_id, at=ctx.envelope.time
    )


async def complaint_closed(ctx: EventContext, event: tix.ComplaintClosed) -> None:
    await SettlementRepository(ctx.session).complaint_closed(
        event.complaint_id, order_id=event.order_id, at=ctx.envelope.time
    )


async def deposit_cancelled(ctx: EventContext, event: cc.DepositCancelled) -> None:
    """7.3: a cancelled deposit is owed back by the merchant, offset at its next settlement."""
    if event.outcome != "cancelled":
        return
    await SettlementRepository(ctx.session).deposit_cancelled(
        event.deposit_id,
        merchant_id=event.merchant_id,
        order_id=event.order_id,
        amount_minor=event.amount_minor,
        currency=event.currency,
        recorded_at=event.recorded_at,
    )


SETTLEMENT_HANDLERS: dict[type[EventPayload], Handler] = {
    orders.OrderPlaced: order_placed,
    orders.OrderPaid: order_paid,
    orders.OrderShipped: order_shipped,
    orders.OrderSignedFor: order_signed_for,
    orders.OrderCancelled: order_cancelled,
    ret.RefundApproved: cancellation_refund,
    ret.OrderCancellationConfirmed: cancellation_confirmed,
    ret.OrderCancellationRequested: cancellation_requested,
    ret.OrderInterceptRequested: intercept_requested,
    ret.OrderInterceptSucceeded: intercept_succeeded,
    ret.OrderInterceptFailed: intercept_failed,
    tix.ComplaintOpened: complaint_opened,
    tix.ComplaintClosed: complaint_closed,
    cc.DepositCancelled: deposit_cancelled,
}
