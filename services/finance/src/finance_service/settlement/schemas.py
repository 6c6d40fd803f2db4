"""Bodies of the settlement routes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from .models import SettlementStatus


class DraftIn(BaseModel):
    merchant_id: str
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="The month settled, YYYY-MM (2000-01 to 2099-12).")


class OrderFormIn(BaseModel):
    missing: bool = Field(description="True: the order form (黄粉联) is missing; its amount is withheld.")
    note: str | None = None


class OrderFormOut(BaseModel):
    order_id: str
    order_form_missing: bool
    order_form_note: str | None


class SettlementLineOut(BaseModel):
    kind: Literal["included", "excluded", "withheld", "deposit"]
    order_id: str | None
    deposit_id: str | None
    reason: str | None = Field(
        description="excluded: cancelled | cancellation_pending | open_complaint | other_currency; "
        "withheld: order_form_missing; deposit: deposit_offset | deposit_carried_forward. "
        "cancellation_pending: a cancellation or interception requested and not yet resolved, or confirmed."
    )
    amount_minor: int = Field(
        description="An order's: what the ledger owes the merchant for it (its merchant_payables sub-ledger: "
        "paid, less refunds of its goods and liabilities charged to the merchant), not what was paid. "
        "A deposit's: the deposit."
    )


class SettlementOut(BaseModel):
    id: uuid.UUID
    merchant_id: str
    month: date
    currency: str
    status: SettlementStatus
    gross_minor: int = Field(description="Included and withheld orders.")
    withheld_minor: int = Field(description="Orders whose order form is missing (offset).")
    deposits_minor: int = Field(description="Cancelled deposits recovered (offset).")
    net_minor: int = Field(description="Paid to the merchant: gross − withheld − deposits.")
    created_by: str
    computed_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    booked_by: str | None
    booked_at: datetime | None
    transaction_id: uuid.UUID | None


class SettlementDetail(SettlementOut):
    included: list[SettlementLineOut]
    excluded: list[SettlementLineOut]
    offsets: list[SettlementLineOut] = Field(description="Withheld orders and deposits.")
