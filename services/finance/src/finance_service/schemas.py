"""Response bodies of the finance API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    type: str
    currency: str
    balance_minor: int


class PostingOut(BaseModel):
    account_code: str
    amount_minor: int
    currency: str


class TransactionOut(BaseModel):
    id: uuid.UUID
    source: str
    description: str
    currency: str
    effective_at: datetime
    booked_at: datetime
    reverses_id: uuid.UUID | None
    details: dict[str, Any]
    postings: list[PostingOut]
