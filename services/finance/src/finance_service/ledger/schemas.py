"""Request and response bodies of the finance API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from aftersales_chassis import BalanceLimit, Instant, SignedAmount


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    type: str
    currency: str
    balance_minor: int
    min_balance_minor: int | None = None
    max_balance_minor: int | None = None


class AccountIn(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", examples=["merchant_payables_usd"])
    name: str = Field(min_length=1)
    type: str = Field(pattern=r"^(asset|liability|equity|revenue|expense)$")
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    min_balance_minor: BalanceLimit | None = Field(default=None, description="Lowest signed balance allowed (debit +).")
    max_balance_minor: BalanceLimit | None = Field(
        default=None, description="Highest signed balance allowed; 0 on a liability = it never turns into a debit."
    )


class LimitsIn(BaseModel):
    min_balance_minor: BalanceLimit | None = None
    max_balance_minor: BalanceLimit | None = None


class PostingOut(BaseModel):
    account_code: str
    amount_minor: int
    currency: str
    merchant_id: str | None = Field(default=None, description="On merchant_payables: whose payable it moves.")
    order_id: str | None = Field(default=None, description="On merchant_payables: for which order.")


class TransactionOut(BaseModel):
    id: uuid.UUID
    source: str
    description: str
    currency: str
    effective_at: datetime
    accounting_date: date
    booked_at: datetime
    reverses_id: uuid.UUID | None
    details: dict[str, Any]
    postings: list[PostingOut]


class LegIn(BaseModel):
    account_code: str
    amount_minor: SignedAmount = Field(
        description="Debit positive, credit negative, never 0 (rule `ledger.leg-not-zero`); the legs sum to zero."
    )
    merchant_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Required on a merchant-keyed account (merchant_payables), refused on any other "
        "(rule `ledger.merchant-key`): whose payable the leg moves.",
    )
    order_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="With merchant_id: the order the leg is for."
    )

    @field_validator("amount_minor")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        # A zero leg posts nothing: refused, not dropped, so that what was sent is what is booked.
        if value == 0:
            raise PydanticCustomError("ledger.leg-not-zero", "a leg of 0 posts nothing: leave it out")
        return value


class TransactionIn(BaseModel):
    reference: str = Field(
        min_length=1, max_length=200, description="Your unique reference: booked once as `api:<reference>`."
    )
    description: str = Field(min_length=1)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    effective_at: Instant = Field(description="With a UTC offset; naive timestamps are rejected.")
    legs: list[LegIn] = Field(min_length=2)
    details: dict[str, Any] = Field(default_factory=dict)


class TransactionBatchIn(BaseModel):
    transactions: list[TransactionIn] = Field(min_length=1, max_length=1000)


class BookedOut(BaseModel):
    id: uuid.UUID | None = Field(description="Null when this reference was booked before.")
    source: str
    accounting_date: date | None


class BatchOut(BaseModel):
    booked: int
    already_booked: int
    items: list[BookedOut]


class ReversalIn(BaseModel):
    reason: str = Field(min_length=1)


class BalanceOut(BaseModel):
    account_code: str
    type: str
    currency: str
    balance_minor: int
    as_of: date | None = Field(description="End of this business day; null = now.")


class ReconciliationOut(BaseModel):
    ok: bool
    checked_at: datetime
    discrepancies: dict[str, int] = Field(description="Rows failing each check; all zero when ok.")
