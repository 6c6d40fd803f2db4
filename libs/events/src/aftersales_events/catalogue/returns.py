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


@event("returns", "ReturnReceived", step="T1A5")
class ReturnReceived(EventPayload):
    """The warehouse confirmed receipt: parcel intact, contents match (T1A5)."""

    return_id: UUID
    order_id: str
    received_by: str
    received_at: datetime
    lines: list[ReturnLine]


@event("returns", "RefundApproved", step="T2A")
class RefundApproved(EventPayload):
    """An authorised agent approved the refund and its amount (T2A → T1B2).

    ``amount_minor`` = ``goods_minor`` + ``freight_minor``; finance books it from this alone.
    """

    return_id: UUID
    order_id: str
    amount_minor: MinorUnits
    goods_minor: MinorUnits
    freight_minor: MinorUnits
    currency: CurrencyCode
    method: Literal["online", "dispute", "transfer"]
    approved_by: str
    approved_at: datetime
