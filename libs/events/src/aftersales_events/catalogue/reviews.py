"""Events of the reviews service (PROCESSES.md §5): the 24 h call asked of the call centre,
the case closed, the customer flagged (E3), and the remedy finance books (Z4 → Z5 → Z6)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from .base import EventPayload, event
from .money import CurrencyCode, MinorUnits

ReviewRating = Literal["good", "neutral", "negative"]
CasePath = Literal["misunderstanding", "quality", "malicious"]


@event("reviews", "ReviewCallRequested", step="W1")
class ReviewCallRequested(EventPayload):
    """A neutral or negative review opened a case: call the customer by ``due_at`` (24 h wall
    clock from the review's own time, so a review ingested late is due sooner). The call
    centre turns it into a callback task (§7.2)."""

    case_id: UUID
    marketplace: str
    review_id: str
    rating: ReviewRating
    stars: int
    order_id: str | None = None
    customer_id: str | None = None
    phone: str | None = None
    reviewed_at: datetime
    due_at: datetime
    requested_at: datetime


@event("reviews", "ReviewCaseClosed", step="W5")
class ReviewCaseClosed(EventPayload):
    """The case ended: ``amended`` (W5, the marketplace reports the review changed to good),
    ``not_amended`` (the amendment window closed, or the marketplace forbids asking) or
    ``flagged`` (E3). An open call task for it is no longer needed."""

    case_id: UUID
    marketplace: str
    review_id: str
    order_id: str | None = None
    outcome: Literal["amended", "not_amended", "flagged"]
    path: CasePath | None = None
    closed_at: datetime


@event("reviews", "CustomerFlagged", step="E3")
class CustomerFlagged(EventPayload):
    """A malicious review was confirmed (E1) and reported (E2): the customer is recorded so that
    the next complaint or call task is handled with care (tickets and callcenter keep it)."""

    customer_id: str
    case_id: UUID
    report_id: UUID
    marketplace: str
    review_id: str
    order_id: str | None = None
    phone: str | None = None
    reason: str
    note: str = ""
    flagged_by: str
    flagged_at: datetime


@event("reviews", "RemedyApproved", step="Z6")
class RemedyApproved(EventPayload):
    """A remedy for a quality complaint in a review, approved by a supervisor (Z5) and agreed
    with the customer (Z6): the money is owed now. Its cost, with every earlier remedy for the
    same order, never exceeds the order's paid price (Z4, cumulative)."""

    review_id: UUID
    remedy_id: UUID
    order_id: str
    kind: Literal["refund", "compensation", "voucher"] = "compensation"
    amount_minor: MinorUnits
    currency: CurrencyCode
    merchant_id: str | None = None
    approved_by: str
    approved_at: datetime
