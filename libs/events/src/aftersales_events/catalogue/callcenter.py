"""Events of the call centre (PROCESSES.md §7): the inbound call log's complaint calls and
call-loss breaches (§7.1), and deposit cancellations (§7.3) that finance books."""

from __future__ import annotations

from datetime import date, datetime
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


@event("callcenter", "InboundComplaintCall", step="§7.1")
class InboundComplaintCall(EventPayload):
    """An inbound call was a complaint: it goes to a named owner and into the CRM (§7.1).
    Tickets opens the complaint with that owner."""

    call_id: str
    phone: str
    owner: str  # the named agent who owns the complaint from here
    description: str  # what the caller complained about
    order_id: str | None = None
    customer_id: str | None = None
    category: str = ""
    recorded_by: str
    called_at: datetime
    recorded_at: datetime


@event("callcenter", "CallLossRateBreached", step="§7.1")
class CallLossRateBreached(EventPayload):
    """A business day's call-loss rate (呼损率) passed its limit (§7.1: at most 25%); once per day."""

    day: date
    offered: int
    not_answered: int
    rate_percent: float
    limit_percent: float
    short_abandon_seconds: int
    formula: str
