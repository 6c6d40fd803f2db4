"""Request and response bodies of the returns API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from aftersales_chassis import Amount, Count, Quantity

from .models import LineReason


class ReturnLineIn(BaseModel):
    """A line of the order coming back; its price is the order's, not the client's."""

    model_config = ConfigDict(extra="forbid")
    sku: str = Field(min_length=1, max_length=64, examples=["SKU-TEA-250G"])
    quantity: Quantity = Field(examples=[2])
    reason: LineReason = Field(default=LineReason.other, description="From the reason catalogue, for QC.")


class ReturnCreate(BaseModel):
    """T1A2: the return as agreed with the customer (T1A1)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "order_id": "TB-20261123-0001",
                    "reason": "damaged in transit",
                    "lines": [{"sku": "SKU-TEA-250G", "quantity": 2, "reason": "damaged_in_transit"}],
                    "requested_refund_minor": 12900,
                    "freight_minor": 1200,
                    "freight_payer": "shop",
                }
            ]
        },
    )

    order_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=100)
    requested_refund_minor: Amount
    freight_minor: Amount = 0
    freight_payer: Literal["shop", "customer"] = "customer"
    refund_request_id: uuid.UUID | None = Field(
        default=None,
        description="The refund request agreed in T1A1 (state `negotiating`, same order): it becomes `filed` and "
        "T1A1's clock stops. Omitted: the order's `negotiating` request, if it has exactly one, is filed the same "
        "way.",
    )

    @field_validator("lines")
    @classmethod
    def _unique_skus(cls, lines: list[ReturnLineIn]) -> list[ReturnLineIn]:
        if len({line.sku for line in lines}) != len(lines):
            raise ValueError("each sku may appear once per return")
        return lines


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=500)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, examples=["outside the return window"])


class ReceivedLineIn(BaseModel):
    """What arrived of one line; what did not is missing (returned − received)."""

    model_config = ConfigDict(extra="forbid")
    sku: str = Field(min_length=1, max_length=64)
    received_quantity: Count
    damaged_quantity: Count = Field(default=0, description="Of the received units.")


class ReceiptIn(BaseModel):
    """T1A5: what arrived. Omit ``lines`` when everything arrived intact."""

    model_config = ConfigDict(extra="forbid")
    lines: list[ReceivedLineIn] | None = None


RefundMethod = Literal["online", "dispute", "transfer"]


def _refunds_something(value: int) -> int:
    # A refund of 0 would move the return to refunded and book nothing, and then block a real one.
    if value == 0:
        raise PydanticCustomError("T2A.refund-not-zero", "a refund of 0 refunds nothing")
    return value


RefundAmount = Annotated[Amount, AfterValidator(_refunds_something)]


class RefundIn(BaseModel):
    """T2A: the refund decision. ``amount_minor`` = goods + ``freight_minor`` + ``goodwill_minor``.

    Goods are capped by the received lines' value (and what the order paid); any goodwill above
    that needs a supervisor."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"amount_minor": 14100, "freight_minor": 1200, "method": "online"}]},
    )
    amount_minor: RefundAmount
    freight_minor: Amount = 0
    goodwill_minor: Amount = 0
    method: RefundMethod = "online"


class RefundWithoutParcelIn(BaseModel):
    """Supervisor-approved refund with no parcel received: goodwill, or lost in transit."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["goodwill", "lost_in_transit"]
    amount_minor: RefundAmount
    method: RefundMethod = "online"
    note: str = Field(min_length=1, max_length=500)


class ExchangeIn(BaseModel):
    """T2B → T3A1: the replacement order the agent placed by hand, and its value."""

    model_config = ConfigDict(extra="forbid")
    replacement_order_id: str = Field(min_length=1, max_length=64)
    replacement_value_minor: Amount


class ReturnLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    sku: str
    quantity: int
    unit_price_minor: int
    received_quantity: int
    damaged_quantity: int
    reason: str


class TrackingIn(BaseModel):
    """T1A4: the customer's return parcel."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"courier": "SF", "tracking_number": "SF1234567890"}]}
    )
    courier: str = Field(min_length=1, max_length=64)
    tracking_number: str = Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9-]+$")


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, examples=["QC inspection pending"])


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, examples=["customer kept the goods"])


class ReturnOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    order_id: str
    state: str
    reason: str
    currency: str
    requested_refund_minor: int
    freight_minor: int
    freight_payer: str
    refund_amount_minor: int | None
    refund_method: str | None
    refund_id: uuid.UUID | None
    refund_kind: str | None
    goodwill_minor: int
    refund_issued_at: datetime | None
    refund_reference: str | None
    return_courier: str | None
    return_tracking_number: str | None
    replacement_order_id: str | None
    exchange_difference_minor: int | None
    stocked_in_at: datetime | None
    refund_hold_reason: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    lines: list[ReturnLineOut]
    allowed_actions: list[str]
