"""What the deposit cancellations API takes and gives."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aftersales_chassis import Amount, Day


class DepositCancellationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"deposit_id": "DEP-1001", "merchant_id": "M-001", "amount_minor": 50000,
                                         "currency": "CNY", "cancel_on": "2026-11-27"}]},
    )  # fmt: skip
    deposit_id: str = Field(min_length=1, max_length=64)
    order_id: str | None = Field(default=None, max_length=64)
    merchant_id: str = Field(min_length=1, max_length=64)
    amount_minor: Amount = Field(gt=0, description="The deposit, in minor units (fen).")
    currency: Literal["CNY"] = "CNY"
    cancel_on: Day = Field(description="At least 3 working days after the booking day (§7.3).")
    note: str = Field(default="", max_length=500)


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["cancelled", "refused"]
    reason: str = Field(default="", max_length=500, description="Required when refused.")


class DepositCancellationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    deposit_id: str
    order_id: str | None
    merchant_id: str
    amount_minor: int
    currency: str
    cancel_on: date
    booked_on: date
    merchant_due_at: datetime
    state: str
    note: str
    booked_by: str
    outcome_reason: str | None
    recorded_by: str | None
    recorded_at: datetime | None
    allowed_actions: list[str] = Field(default_factory=list)


LEDGER_COLUMNS = ("deposit_id", "order_id", "merchant_id", "amount_minor", "currency", "cancel_on", "booked_on",
                  "state", "outcome_reason", "recorded_by", "recorded_at")  # fmt: skip
