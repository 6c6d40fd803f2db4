"""Events the returns service publishes (PROCESSES.md §6). Step ids are the seeds' own."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from .base import EventPayload, event
from .money import CurrencyCode, MinorUnits


class ReturnLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str
    quantity: int
    unit_price_minor: MinorUnits
    damaged_quantity: int = 0  # at receipt (T1A5), of the received quantity


@event("returns", "ReturnRequested", step="T1A2")
class ReturnRequested(EventPayload):
    """An agent filed a return after shipment (T1A2)."""

    return_id: UUID
    order_id: str
    reason: str
    lines: list[ReturnLine]
    requested_refund_minor: MinorUnits
    freight_minor: MinorUnits
    freight_payer: Literal["shop", "customer"]
    currency: CurrencyCode
    requested_by: str


@event("returns", "ReturnApproved", step="T1A3")
class ReturnApproved(EventPayload):
    """A supervisor approved the return (T1A3)."""

    return_id: UUID
    order_id: str
    approved_by: str
    note: str | None = None


@event("returns", "ReturnRejected", step="T1A3")
class ReturnRejected(EventPayload):
    """A supervisor rejected the return, with a reason (T1A3)."""

    return_id: UUID
    order_id: str
    rejected_by: str
    reason: str


@event("returns", "ReturnCancelled", step="T1A2")
class ReturnCancelled(EventPayload):
    """The customer or an agent withdrew the return before the parcel was received."""

    return_id: UUID
    order_id: str
    cancelled_by: str
    reason: str


@event("returns", "ReturnReceived", step="T1A5")
class ReturnReceived(EventPayload):
    """The warehouse confirmed receipt: parcel intact, contents match (T1A5)."""

    return_id: UUID
    order_id: str
    received_by: str
    received_at: datetime
    lines: list[ReturnLine]


RefundKind = Literal["return", "cancellation", "goodwill", "lost_in_transit"]
RefundMethod = Literal["online", "dispute", "transfer"]


@event("returns", "RefundApproved", step="T2A")
class RefundApproved(EventPayload):
    """An authorised agent approved the refund and its amount (T2A → T1B2; T1B2 after a
    confirmed cancellation).

    ``amount_minor`` = ``goods_minor`` + ``freight_minor`` + ``goodwill_minor``; finance books
    it from this alone. ``refund_id`` identifies the refund across RefundApproved/RefundIssued.
    """

    return_id: UUID | None = None
    refund_id: UUID | None = None
    order_id: str
    kind: RefundKind = "return"
    amount_minor: MinorUnits
    goods_minor: MinorUnits
    freight_minor: MinorUnits
    goodwill_minor: MinorUnits = 0
    currency: CurrencyCode
    method: RefundMethod
    approved_by: str
    approved_at: datetime
    merchant_id: str | None = None


@event("returns", "RefundIssued", step="T1B2")
class RefundIssued(EventPayload):
    """The payment port paid the approved refund out (cash leaves the shop)."""

    refund_id: UUID
    return_id: UUID | None = None
    order_id: str
    amount_minor: MinorUnits
    currency: CurrencyCode
    method: RefundMethod
    provider_reference: str
    issued_at: datetime


@event("returns", "OrderCancellationConfirmed", step="T1B1")
class OrderCancellationConfirmed(EventPayload):
    """The warehouse confirmed a paid, unshipped order is cancelled: a refund may follow (T1B2)."""

    order_id: str
    cancellation_id: UUID
    confirmed_by: str
    confirmed_at: datetime
    paid_minor: MinorUnits
    currency: CurrencyCode


@event("returns", "OrderCancellationRequested", step="T1B")
class OrderCancellationRequested(EventPayload):
    """The customer asked to cancel a paid order not shipped yet; the warehouse is to cancel
    it (T1B → T1B1). Until OrderCancellationConfirmed, the order is pending cancellation:
    finance does not settle it."""

    order_id: str
    cancellation_id: UUID
    requested_by: str
    requested_at: datetime
    paid_minor: MinorUnits
    currency: CurrencyCode


@event("returns", "OrderInterceptRequested", step="§6.4")
class OrderInterceptRequested(EventPayload):
    """The customer asked to cancel a shipped order: the courier is asked to return it or the
    buyer refuses delivery (§6.4). Until it succeeds or fails, finance does not settle the order."""

    order_id: str
    cancellation_id: UUID
    requested_by: str
    requested_at: datetime
    freight_payer: Literal["shop", "customer"]
    freight_minor: MinorUnits
    currency: CurrencyCode


@event("returns", "OrderInterceptSucceeded", step="§6.4")
class OrderInterceptSucceeded(EventPayload):
    """The intercepted parcel came back: the order is cancelled, a refund may follow (T1B2)."""

    order_id: str
    cancellation_id: UUID
    recorded_by: str
    intercepted_at: datetime


@event("returns", "OrderInterceptFailed", step="§6.4")
class OrderInterceptFailed(EventPayload):
    """The interception failed (the parcel was delivered and kept): the order stands, and is
    settled as any other; the customer may still return it (§6.2)."""

    order_id: str
    cancellation_id: UUID
    recorded_by: str
    failed_at: datetime
    reason: str


@event("returns", "ExchangeShipped", step="T3A2")
class ExchangeShipped(EventPayload):
    """The warehouse shipped the replacement of an equal-value exchange (T3A1 → T3A2)."""

    return_id: UUID
    order_id: str
    replacement_order_id: str
    difference_minor: int  # replacement value − returned value; 0 for an equal-value exchange
    currency: CurrencyCode
    shipped_at: datetime


@event("returns", "ItemsStockedIn", step="T1B3")
class ItemsStockedIn(EventPayload):
    """Returned goods went back into stock (T1B3 after a refund, T3A4 after an exchange)."""

    return_id: UUID
    order_id: str
    lines: list[ReturnLine]
    stocked_in_by: str
    stocked_in_at: datetime
