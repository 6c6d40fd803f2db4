"""Events the finance service publishes (PROCESSES.md §8)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from .base import EventPayload, event
from .money import CurrencyCode


@event("finance", "LedgerTransactionPosted", step="T5")
class LedgerTransactionPosted(EventPayload):
    """A balanced ledger transaction was booked."""

    transaction_id: UUID
    source: str
    currency: CurrencyCode
    total_debit_minor: int
    booked_at: datetime
