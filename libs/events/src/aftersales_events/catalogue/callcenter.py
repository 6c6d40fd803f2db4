"""Money events of the call centre (PROCESSES.md §7.3) that finance books. Defined here by
finance until callcenter emits them; callcenter owns them from then on."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from .base import EventPayload, event
from .money import CurrencyCode, MinorUnits


@event("callcenter", "DepositCancelled", step="§7.3")
class DepositCancelled(EventPayload):
    """The outcome of a deposit cancellation (退订) asked of the merchant on the booking day.

    ``cancelled``: the deposit is refunded to the customer from the cancellation float and
    recovered from the merchant at the next settlement; ``refused``: nothing moves, and
    ``reason`` says why.
    """

    cancellation_id: UUID
    deposit_id: str
    order_id: str | None = None
    merchant_id: str
    outcome: Literal["cancelled", "refused"]
    reason: str = ""
    amount_minor: MinorUnits
    currency: CurrencyCode
    recorded_by: str
    recorded_at: datetime
