"""Every money event of the platform, booked from the event alone: one balanced transaction
per event id (``event:<id>`` is the unique source), in the consumer's transaction."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar.store import CalendarProvider
from aftersales_chassis import Clock, SystemClock
from aftersales_events import EventContext, EventPayload, Handler, PermanentError
from aftersales_events.catalogue import callcenter as cc
from aftersales_events.catalogue import orders
from aftersales_events.catalogue import returns as ret
from aftersales_events.catalogue import reviews as rev
from aftersales_events.catalogue import tickets as tix

from ..business_calendar import calendars_of
from ..chart import AccountCode as A
from ..chart import Table
from ..ledger import Entry, LedgerService, Leg


@dataclass(frozen=True)
class LedgerWriter:
    """Books a batch's entries together (three statements, whatever the batch size), on
    the days of the business calendar's zone (the provider caches it between batches)."""

    clock: Clock = field(compare=False)
    calendars: CalendarProvider = field(compare=False)

    async def write(self, session: AsyncSession, items: Sequence[Entry]) -> None:
        calendar = await self.calendars.current(session)
        await LedgerService(session, self.clock, calendar.zone).book_many(items)


_SYSTEM_CLOCK = SystemClock()


@functools.cache
def _ledger_writer(clock: Clock, calendars: CalendarProvider) -> LedgerWriter:
    """One writer per clock and calendar (the service has one of each): not a new object per event."""
    return LedgerWriter(clock, calendars)


async def _book(
    ctx: EventContext,
    description: str,
    currency: str,
    at: datetime,
    legs: list[Leg],
    step: str | None,
    **details: Any,
) -> None:
    entry = Entry(
        source=f"event:{ctx.event_id}",
        description=description,
        currency=currency,
        effective_at=at,
        legs=legs,
        details={"event_type": ctx.envelope.type, "step": step, **{k: v for k, v in details.items() if v is not None}},
        cause=ctx.cause,
    )
    # The service's clock (tests drive it) and calendar; a bare runner without app resources:
    # the system's clock and the default calendar.
    resources = ctx.resources
    writer = _ledger_writer(getattr(resources, "clock", None) or _SYSTEM_CLOCK, calendars_of(resources))
    await ctx.write(writer, entry)


# The step that produced a refund, by its kind (PROCESSES.md §6): a cancelled order's refund
# is T1B2 (§6.1, after T1B1); a return's, with or without its parcel, is T2A (§6.2).
REFUND_STEPS: dict[str, str] = {"cancellation": "T1B2", "return": "T2A", "goodwill": "T2A", "lost_in_transit": "T2A"}


def refund_step(kind: str) -> str:
    return REFUND_STEPS[kind]


def payout_step(event: ret.RefundIssued) -> str:
    """The payout of a refund carries the step of the refund it pays: a return's (T2A) has
    its return id; a cancelled order's (T1B2) has none."""
    return "T2A" if event.return_id is not None else "T1B2"


def _merchant_or(shop_account: A, amount: int, merchant_id: str | None, order_id: str) -> Leg:
    """A marketplace order's leg is on the merchant's payable for that order (the sub-ledger
    of merchant_payables, finance_0012); the shop's own order's on the shop's account."""
    if merchant_id:
        return Leg(A.merchant_payables, amount, merchant_id, order_id)
    return Leg(shop_account, amount)


async def book_refund_approved(ctx: EventContext, event: ret.RefundApproved) -> None:
    """T2A or T1B2 → T5: the refund becomes a payable to the customer. A marketplace order's
    goods come out of what the merchant is owed; freight and goodwill are the shop's."""
    if event.goods_minor + event.freight_minor + event.goodwill_minor != event.amount_minor:
        raise PermanentError(f"refund of {event.order_id}: parts do not add up to amount_minor")
    await _book(
        ctx,
        f"Refund approved ({event.kind}) for order {event.order_id}",
        event.currency,
        event.approved_at,
        [
            _merchant_or(A.sales_returns, event.goods_minor, event.merchant_id, event.order_id),
            Leg(A.freight_refunds, event.freight_minor),
            Leg(A.goodwill_expense, event.goodwill_minor),
            Leg(A.customer_refunds_payable, -event.amount_minor),
        ],
        refund_step(event.kind),
        table=Table.return_refunds.value,
        return_id=str(event.return_id) if event.return_id else None,
        refund_id=str(event.refund_id) if event.refund_id else None,
        order_id=event.order_id,
        merchant_id=event.merchant_id,
        kind=event.kind,
        method=event.method,
        approved_by=event.approved_by,
        amount_minor=event.amount_minor,
    )


async def book_refund_issued(ctx: EventContext, event: ret.RefundIssued) -> None:
    """The payment port paid the refund out (the T2A or T1B2 refund it pays): the payable is settled in cash."""
    await _book(
        ctx,
        f"Refund paid out for order {event.order_id} ({event.provider_reference})",
        event.currency,
        event.issued_at,
        [Leg(A.customer_refunds_payable, event.amount_minor), Leg(A.cash, -event.amount_minor)],
        payout_step(event),
        refund_id=str(event.refund_id),
        order_id=event.order_id,
        provider_reference=event.provider_reference,
    )


async def book_order_paid(ctx: EventContext, event: orders.OrderPaid) -> None:
    """The customer paid: cash in, owed to the merchant (marketplace) or the shop's sale."""
    await _book(
        ctx,
        f"Order {event.order_id} paid",
        event.currency,
        event.occurred_at,
        [Leg(A.cash, event.paid_minor), _merchant_or(A.sales, -event.paid_minor, event.merchant_id, event.order_id)],
        "B1",
        order_id=event.order_id,
        merchant_id=event.merchant_id,
    )


async def book_abnormal_refund(ctx: EventContext, event: tix.AbnormalRefundApproved) -> None:
    """C3B2 → C4/C5: a discount on kept goods, owed to the customer; a line of the C4 table."""
    merchant = event.merchant_id if event.liability == "merchant" else None
    await _book(
        ctx,
        f"Abnormal refund for order {event.order_id} ({event.reason})",
        event.currency,
        event.approved_at,
        [
            _merchant_or(A.sales_allowances, event.amount_minor, merchant, event.order_id),
            Leg(A.customer_refunds_payable, -event.amount_minor),
        ],
        "C3B2",
        table=Table.abnormal_refunds.value,
        case_id=str(event.case_id),
        abnormal_refund_id=str(event.abnormal_refund_id),
        order_id=event.order_id,
        liability=event.liability,
        merchant_id=event.merchant_id,
        approved_by=event.approved_by,
        amount_minor=event.amount_minor,
    )


async def book_presale_discount(ctx: EventContext, event: tix.DiscountApproved) -> None:
    """A5: a discount granted on an order before it is paid: the customer pays the reduced price
    (OrderPaid books what they paid), so the discount is a sales allowance against the sale it
    reduced (contra-revenue out of sales, no cash and no payable). The shop bears it."""
    await _book(
        ctx,
        f"Pre-sale discount for order {event.order_id} ({event.authority}: {event.approved_by})",
        event.currency,
        event.approved_at,
        [Leg(A.sales_allowances, event.amount_minor), Leg(A.sales, -event.amount_minor)],
        "A5",
        discount_id=str(event.discount_id),
        order_id=event.order_id,
        inquiry_id=str(event.inquiry_id) if event.inquiry_id else None,
        merchant_id=event.merchant_id,
        authority=event.authority,
        requested_by=event.requested_by,
        approved_by=event.approved_by,
        amount_minor=event.amount_minor,
    )


async def book_remedy(ctx: EventContext, event: rev.RemedyApproved) -> None:
    """Z6: a remedy approved by a supervisor (Z5) and agreed with the customer (Z6) is
    compensation owed to the customer. Reviews publishes RemedyApproved at Z6, so the line
    carries Z6: the step that produced it."""
    await _book(
        ctx,
        f"Remedy ({event.kind}) for order {event.order_id}",
        event.currency,
        event.approved_at,
        [Leg(A.goodwill_expense, event.amount_minor), Leg(A.customer_refunds_payable, -event.amount_minor)],
        "Z6",
        table=Table.abnormal_refunds.value,
        review_id=str(event.review_id),
        remedy_id=str(event.remedy_id),
        order_id=event.order_id,
        kind=event.kind,
        approved_by=event.approved_by,
        amount_minor=event.amount_minor,
    )


async def book_courier_liability(ctx: EventContext, event: tix.CourierLiabilityAssigned) -> None:
    """K2: the courier is liable: it owes the shop the cost."""
    await _book(
        ctx,
        f"Courier {event.courier} liable for order {event.order_id}",
        event.currency,
        event.assigned_at,
        [Leg(A.courier_receivables, event.amount_minor), Leg(A.courier_recoveries, -event.amount_minor)],
        "K2",
        case_id=str(event.case_id),
        order_id=event.order_id,
        courier=event.courier,
    )


async def book_freight_advanced(ctx: EventContext, event: tix.QualityReturnFreightAdvanced) -> None:
    """P2B1: the shop advances the quality return's freight to the customer."""
    await _book(
        ctx,
        f"Freight advanced for the quality return of order {event.order_id}",
        event.currency,
        event.advanced_at,
        [Leg(A.freight_advanced, event.amount_minor), Leg(A.customer_refunds_payable, -event.amount_minor)],
        "P2B1",
        case_id=str(event.case_id),
        order_id=event.order_id,
        approved_by=event.approved_by,
    )


async def book_deposit_cancelled(ctx: EventContext, event: cc.DepositCancelled) -> None:
    """7.3: a cancelled deposit is refunded from the cancellation float, which the merchant's
    next settlement repays; a refused cancellation moves no money."""
    if event.outcome != "cancelled":
        return
    await _book(
        ctx,
        f"Deposit {event.deposit_id} cancelled (merchant {event.merchant_id})",
        event.currency,
        event.recorded_at,
        [Leg(A.cancellation_float, event.amount_minor), Leg(A.customer_refunds_payable, -event.amount_minor)],
        "7.3",
        deposit_id=event.deposit_id,
        order_id=event.order_id,
        merchant_id=event.merchant_id,
    )


MONEY_HANDLERS: dict[type[EventPayload], Handler] = {
    ret.RefundApproved: book_refund_approved,
    ret.RefundIssued: book_refund_issued,
    orders.OrderPaid: book_order_paid,
    tix.AbnormalRefundApproved: book_abnormal_refund,
    rev.RemedyApproved: book_remedy,
    tix.DiscountApproved: book_presale_discount,
    tix.CourierLiabilityAssigned: book_courier_liability,
    tix.QualityReturnFreightAdvanced: book_freight_advanced,
    cc.DepositCancelled: book_deposit_cancelled,
}
