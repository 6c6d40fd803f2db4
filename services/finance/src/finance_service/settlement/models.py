"""Merchant settlement's tables (§8): finance's own read models of order facts, complaints
and deposits (from events), and the settlement documents. See docs/adr/0008."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Identity, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class SettlementStatus(StrEnum):
    """A settlement's states (its transitions: :data:`..state.SETTLEMENT_FLOW`)."""

    draft = "draft"  # computed, recomputable
    approved = "approved"  # frozen, by someone other than its creator; claims its orders and deposits
    booked = "booked"  # one balanced transaction in the ledger. End.


class SettlementOrder(Base):
    """An order as finance knows it from the order-fact and cancellation events."""

    __tablename__ = "settlement_orders"

    order_id: Mapped[str] = mapped_column(Text, primary_key=True)
    merchant_id: Mapped[str | None] = mapped_column(Text, index=True)
    currency: Mapped[str | None] = mapped_column(String(3))
    total_minor: Mapped[int | None] = mapped_column(BigInteger)
    paid_minor: Mapped[int | None] = mapped_column(BigInteger)
    placed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancellation_pending_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Finance's mark: the order form (黄粉联) is missing; the order's amount is withheld.
    order_form_missing: Mapped[bool] = mapped_column(default=False)
    order_form_note: Mapped[str | None] = mapped_column(Text)
    # The approved settlement that paid this order out (claimed once).
    settlement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("settlements.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SettlementComplaint(Base):
    __tablename__ = "settlement_complaints"

    complaint_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[str | None] = mapped_column(Text, index=True)
    merchant_id: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CancellationHold(Base):
    """A cancellation in progress holds its order out of settlement (issue 17 item 4): from
    the request (OrderCancellationRequested, OrderInterceptRequested) until it resolves
    (OrderCancellationConfirmed or OrderInterceptSucceeded: cancelled; OrderInterceptFailed:
    the order stands). Keyed by cancellation; facts fill in whatever order they arrive."""

    __tablename__ = "settlement_cancellation_holds"
    __table_args__ = (CheckConstraint("outcome IN ('cancelled', 'failed')", name="outcome_known"),)

    cancellation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(Text, index=True)
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(16))


class SettlementDeposit(Base):
    """A cancelled deposit refunded from the float: the merchant owes it until a settlement offsets it."""

    __tablename__ = "settlement_deposits"

    deposit_id: Mapped[str] = mapped_column(Text, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(Text, index=True)
    order_id: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settlement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("settlements.id"))


class Settlement(Base):
    """One merchant's settlement for one month: draft → approved → booked."""

    __tablename__ = "settlements"
    __table_args__ = (
        CheckConstraint(
            f"status IN ({', '.join(repr(status.value) for status in SettlementStatus)})", name="status_known"
        ),
        UniqueConstraint("merchant_id", "month"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[str] = mapped_column(Text)
    month: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[SettlementStatus] = mapped_column(String(8), default=SettlementStatus.draft)
    gross_minor: Mapped[int] = mapped_column(BigInteger)  # included + withheld orders
    withheld_minor: Mapped[int] = mapped_column(BigInteger)  # orders without their order form
    deposits_minor: Mapped[int] = mapped_column(BigInteger)  # cancelled deposits recovered
    net_minor: Mapped[int] = mapped_column(BigInteger)  # paid to the merchant
    created_by: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    booked_by: Mapped[str | None] = mapped_column(Text)
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ledger_transactions.id"))


class SettlementLine(Base):
    """included: settles; excluded: not this time (reason); withheld: order form missing
    (offset); deposit: a cancelled deposit offset (or carried forward, amount not counted)."""

    __tablename__ = "settlement_lines"
    __table_args__ = (CheckConstraint("kind IN ('included', 'excluded', 'withheld', 'deposit')", name="kind_known"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    settlement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("settlements.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    order_id: Mapped[str | None] = mapped_column(Text)
    deposit_id: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
