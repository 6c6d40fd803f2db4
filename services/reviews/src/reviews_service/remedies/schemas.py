"""What the remedies API takes and gives. No field ties a remedy to the review being amended:
the two are separate records (PROCESSES.md §10), and unknown fields are refused."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from aftersales_chassis.money import Amount

from .models import RemedyKind


class RemedyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_id: uuid.UUID
    kind: RemedyKind = Field(examples=["compensation"])
    description: str = Field(min_length=1, max_length=1000, examples=["Replacement tea sent; 20 yuan back"])
    amount_minor: Amount = Field(examples=[2000])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=1000)


class RemedyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    order_id: str
    kind: str
    description: str
    amount_minor: int
    currency: str
    cap_minor: int = Field(description="The order's paid price when it was proposed (Z4's cap).")
    granted_before_minor: int = Field(description="What earlier live remedies for the order already took.")
    state: str
    proposed_by: str
    proposed_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    agreed_at: datetime | None
    allowed_actions: list[str] = Field(default_factory=list)
