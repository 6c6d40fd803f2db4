"""Request and response bodies of the returns API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Minor = Annotated[int, Field(ge=0, le=10**12, description="Minor units (fen).")]


class ReturnLineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64, examples=["SKU-TEA-250G"])
    quantity: int = Field(gt=0, le=10_000, examples=[2])
    unit_price_minor: Minor = Field(examples=[6450])


class ReturnCreate(BaseModel):
    """T1A2: the return as agreed with the customer (T1A1)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "order_id": "TB-20261123-0001",
                    "reason": "damaged in transit",
                    "lines": [{"sku": "SKU-TEA-250G", "quantity": 2, "unit_price_minor": 6450}],
                    "requested_refund_minor": 12900,
                    "freight_minor": 1200,
                    "freight_payer": "shop",
                    "currency": "CNY",
                }
            ]
        },
    )

    order_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=100)
    requested_refund_minor: Minor
    freight_minor: Minor = 0
    freight_payer: Literal["shop", "customer"] = "customer"
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")

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
    sku: str = Field(min_length=1, max_length=64)
    received_quantity: int = Field(ge=0, le=10_000)


class ReceiptIn(BaseModel):
    """T1A5: what arrived. Omit ``lines`` when everything arrived intact."""

    model_config = ConfigDict(extra="forbid")
    lines: list[ReceivedLineIn] | None = None


class RefundIn(BaseModel):
    """T2A: the refund decision. ``amount_minor`` includes ``freight_minor``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"amount_minor": 14100, "freight_minor": 1200, "method": "online"}]},
    )
    amount_minor: Minor
    freight_minor: Minor = 0
    method: Literal["online", "dispute", "transfer"] = "online"


class ReturnLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    sku: str
    quantity: int
    unit_price_minor: int
    received_quantity: int


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
    created_by: str
    created_at: datetime
    updated_at: datetime
    lines: list[ReturnLineOut]
    allowed_actions: list[str]


class TransitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    action: str
    step: str
    from_state: str | None
    to_state: str
    actor: str
    reason: str | None
    at: datetime
