"""Money events of the reviews service (PROCESSES.md §5) that finance books. Defined here by
finance until reviews emits them; reviews owns them from then on."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from .base import EventPayload, event
from .money import CurrencyCode, MinorUnits


@event("reviews", "RemedyApproved", step="Z5")
class RemedyApproved(EventPayload):
    """A supervisor approved the remedy agreed for a quality complaint in a review (Z4 → Z5);
    its cost never exceeds the order's paid price (cumulative per order)."""

    review_id: UUID
    remedy_id: UUID
    order_id: str
    kind: Literal["refund", "compensation", "voucher"] = "compensation"
    amount_minor: MinorUnits
    currency: CurrencyCode
    merchant_id: str | None = None
    approved_by: str
    approved_at: datetime
