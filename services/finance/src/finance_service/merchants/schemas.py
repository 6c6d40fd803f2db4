"""Bodies of the merchant ledger routes."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field


class MerchantBalanceOut(BaseModel):
    merchant_id: str
    currency: str
    owed_minor: int = Field(
        description="What the ledger says the merchant is owed now (its merchant_payables sub-ledger, "
        "credit positive): orders paid, less refunds and merchant liabilities, less settlements paid."
    )
    orders_owed: int = Field(description="Orders with a non-zero balance.")
    by_order: dict[str, int] = Field(
        description="Owed per order with a non-zero balance ('' for postings to the merchant as a whole)."
    )


class StatementLineOut(BaseModel):
    posting_id: int
    transaction_id: uuid.UUID
    source: str
    description: str
    step: str | None = Field(description="The step that produced the line (B1 paid, T2A, T1B2, C3B2, §8 settled).")
    accounting_date: date
    booked_at: datetime
    order_id: str | None
    amount_minor: int = Field(description="Signed as posted: a credit (negative) raises what the merchant is owed.")
    owed_change_minor: int = Field(description="What the line changes the merchant is owed by (−amount_minor).")
    currency: str
