"""Bodies of the periods and monthly-table routes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class LineOut(BaseModel):
    transaction_id: uuid.UUID
    accounting_date: date
    belongs_to: date | None = Field(description="The day it belongs to, when booked late into a later month.")
    step: str | None
    order_id: str | None
    reference: str | None
    kind: str | None
    amount_minor: int
    currency: str
    approved_by: str | None
    description: str
    status: Literal["booked", "checked", "reversed"] = Field(
        description="booked: in the ledger, not yet checked by finance; checked: reconciled (C5/T5); reversed."
    )
    checked_by: str | None
    checked_at: datetime | None


class CheckIn(BaseModel):
    note: str | None = None


class CloseReport(BaseModel):
    month: str
    balanced: bool = Field(description="Debits equal credits in the month, per currency.")
    totals_by_currency: dict[str, int]
    ledger_reconciled: bool
    transactions: int
    late_entries: int = Field(description="Booked into this month for a day of a closed earlier month.")
    unreconciled: list[LineOut] = Field(description="Table lines finance has not checked yet.")


class PeriodOut(BaseModel):
    month: str
    status: Literal["open", "closed"]
    closed_at: datetime | None
    closed_by: str | None
    report: CloseReport | None
