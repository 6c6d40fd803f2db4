"""Money and complaint events of the tickets service (PROCESSES.md §3, §4) that finance books
or reads. Defined here by finance until tickets emits them; tickets owns them from then on."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from .base import EventPayload, event
from .money import CurrencyCode, MinorUnits


@event("tickets", "ComplaintOpened", step="§4")
class ComplaintOpened(EventPayload):
    """A complaint was recorded against an order; the order cannot settle while it is open (§8)."""

    complaint_id: UUID
    order_id: str | None = None
    merchant_id: str | None = None
    channel: str = "phone"
    category: str = ""
    opened_at: datetime


@event("tickets", "ComplaintClosed", step="§4")
class ComplaintClosed(EventPayload):
    """A complaint was closed (resolved or withdrawn)."""

    complaint_id: UUID
    order_id: str | None = None
    resolution: str = ""
    closed_at: datetime


@event("tickets", "AbnormalRefundApproved", step="C3B2")
class AbnormalRefundApproved(EventPayload):
    """A supervisor approved an abnormal refund (异常退款): the customer keeps the goods against a
    discount never above the exchange cost (C3B1 → C3B2). It is a line of the C4 table."""

    case_id: UUID
    abnormal_refund_id: UUID
    order_id: str
    amount_minor: MinorUnits
    currency: CurrencyCode
    reason: str = ""
    liability: Literal["shop", "warehouse", "courier", "merchant"] = "shop"
    merchant_id: str | None = None
    approved_by: str
    approved_at: datetime


@event("tickets", "CourierLiabilityAssigned", step="K2")
class CourierLiabilityAssigned(EventPayload):
    """The logistics group found the courier liable: the courier owes the cost (K2)."""

    case_id: UUID
    order_id: str
    courier: str
    amount_minor: MinorUnits
    currency: CurrencyCode
    assigned_by: str
    assigned_at: datetime


@event("tickets", "QualityReturnFreightAdvanced", step="P2B1")
class QualityReturnFreightAdvanced(EventPayload):
    """For a quality problem the shop advances the customer's return freight (P2B1)."""

    case_id: UUID
    order_id: str
    amount_minor: MinorUnits
    currency: CurrencyCode
    approved_by: str
    advanced_at: datetime


@event("tickets", "AfterSaleReturnRequested", step="C3A")
class AfterSaleReturnRequested(EventPayload):
    """An after-sale case hands the customer to the return flow (§6): the remedy agreed at C3A,
    or a customer who still wants to return goods judged free of a quality problem (P2A2).
    Returns opens the return from it; the case has ended."""

    case_id: UUID
    case_kind: Literal["C", "K", "P"]
    step: Literal["C3A", "P2A2"]
    order_id: str
    customer_id: str
    merchant_id: str | None = None
    reason: str = ""
    requested_by: str
    requested_at: datetime


@event("tickets", "MajorComplaintRaised", step="§4")
class MajorComplaintRaised(EventPayload):
    """A complaint was flagged major (by a priority rule at intake, or by a supervisor): an alert
    for the floor's leads, and a line of the weekly report of major complaints (§4)."""

    complaint_id: UUID
    order_id: str | None = None
    merchant_id: str | None = None
    customer_id: str | None = None
    channel: str
    priority: str
    rule: str  # the priority rule that flagged it, or "supervisor"
    raised_by: str
    raised_at: datetime


class MerchantStanding(BaseModel):
    """One merchant's place on a decided red/black list, with the figures it was judged on."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    merchant_id: str
    standing: Literal["red", "black"]
    nominated: Literal["red", "black"] | None = None  # what the published rules nominated (None: added in review)
    complaints: int
    major: int
    public_complaints: int
    merchant_breaches: int  # §4.4 public replies late
    on_time_percent: float | None = None  # §4.4 replies on time ÷ §4.4 clocks stopped; None: no public complaint
    note: str = ""


@event("tickets", "RedBlackListDecided", step="§4.6")
class RedBlackListDecided(EventPayload):
    """A month's red/black list of merchants was decided by a supervisor (§4, by the end of the
    10th of the next month), or corrected: a correction is a new version that supersedes the
    previous one (``supersedes_version``, ``reason``). The list as decided: merchants on neither
    list are not in it. Finance, or anyone else, may act on it."""

    list_id: UUID
    month: str  # YYYY-MM, in the business calendar's zone
    list_version: int  # 1, then one more per correction
    supersedes_version: int | None = None
    reason: str = ""
    red: list[MerchantStanding]
    black: list[MerchantStanding]
    rules: dict[str, float | int]
    decided_by: str
    decided_at: datetime


@event("tickets", "DiscountApproved", step="A5")
class DiscountApproved(EventPayload):
    """A pre-sale discount on an order was granted (A5): by the agent alone while the order's
    discounts, all grants together, stay within the agents' authority (20 yuan), or, above it,
    approved by a supervisor other than the requester. Finance books it as a sales allowance."""

    discount_id: UUID
    order_id: str
    inquiry_id: UUID | None = None
    customer_id: str | None = None
    merchant_id: str | None = None
    amount_minor: MinorUnits
    currency: CurrencyCode
    authority: Literal["agent", "supervisor"]
    agent_limit_minor: MinorUnits  # the agents' per-order authority in force when granted
    order_discounts_minor: MinorUnits  # the order's granted discounts, this one included
    reason: str = ""
    requested_by: str
    approved_by: str
    approved_at: datetime
