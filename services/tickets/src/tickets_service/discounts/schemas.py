"""What the A5 discounts API takes and gives."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from aftersales_chassis import Amount

from .models import DiscountState

PositiveAmount = Annotated[Amount, Field(ge=1)]


class DiscountIn(BaseModel):
    """A5 · a discount the agent negotiated on an order (fen, a JSON integer)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"order_id": "TB-20261124-0007", "amount_minor": 1500, "reason": "two tins: 15 yuan off"},
                {"order_id": "TB-20261124-0008", "amount_minor": 3000, "reason": "bulk order of 10",
                 "inquiry_id": "0b6f6c1e-3f57-4a7e-9d7c-2b1f3f0e4a11"},
            ]
        },
    )  # fmt: skip
    order_id: str = Field(min_length=1, max_length=64)
    amount_minor: PositiveAmount
    reason: str = Field(min_length=1, max_length=2_000)
    inquiry_id: uuid.UUID | None = Field(default=None, description="The inquiry it was negotiated in, if any.")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "regular customer, ok"}]})
    note: str = Field(default="", max_length=2_000)


class DiscountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    state: DiscountState
    order_id: str
    inquiry_id: uuid.UUID | None
    customer_id: str | None
    merchant_id: str | None
    amount_minor: int
    currency: str
    reason: str
    requested_by: str
    requested_at: datetime
    agent_limit_minor: int = Field(description="The agents' per-order authority in force (fen).")
    granted_before_minor: int | None = Field(description="The order's discounts granted before this one, when decided.")
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    allowed_actions: list[str] = []


class AuthorityOut(BaseModel):
    """The A5 rule in force (§10)."""

    agent_limit_minor: int = Field(description="TICKETS_DISCOUNT_AGENT_LIMIT_MINOR (default 2000 fen = 20 yuan).")
    currency: str
    rule: str
