"""Bodies of the cancellation API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aftersales_chassis import Amount


class CancellationIn(BaseModel):
    """T1: the customer asks to cancel; the agent records why and whose reason it is."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"order_id": "TB-20261123-0001", "reason": "ordered twice",
                                         "reason_party": "customer"}]},
    )  # fmt: skip
    order_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
    reason_party: Literal["customer", "shop"] = Field(
        description="Whose reason it is: for a shipped order, freight is the customer's when the reason is theirs."
    )
    freight_minor: Amount = Field(default=0, description="Return freight of a shipped order (§6.4).")


class ConfirmIn(BaseModel):
    """T1B1: the warehouse cancelled the order; the note says what the customer was told."""

    model_config = ConfigDict(extra="forbid")
    customer_note: str = Field(min_length=1, max_length=500, examples=["Cancelled, refund within 48 h"])


class InterceptFailedIn(BaseModel):
    """§6.4: why the interception failed (delivered and kept, courier refused, ...)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, examples=["delivered before the courier could stop it"])


class CancellationRefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["online", "dispute", "transfer"] = "online"


class CancellationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    order_id: str
    state: str
    reason: str
    reason_party: str
    freight_payer: str
    freight_minor: int
    paid_minor: int
    currency: str
    requested_by: str
    confirmed_by: str | None
    customer_note: str | None
    refund_id: uuid.UUID | None
    refund_amount_minor: int | None
    refund_issued_at: datetime | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str] = Field(
        default_factory=list,
        description="`confirm` (T1B1), `intercepted` or `intercept-failed` (§6.4), `refund` (T1B2).",
    )
