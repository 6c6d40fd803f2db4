"""Deposit cancellations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class DepositState(StrEnum):
    awaiting_merchant = "awaiting_merchant"  # booked; the merchant is asked today (the merchant's task)
    cancelled = "cancelled"  # the merchant agreed. End.
    refused = "refused"  # the merchant refused, with a reason. End.


class DepositCancellation(Base):
    __tablename__ = "deposit_cancellations"
    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s.value) for s in DepositState)})", name="state_known"),
        CheckConstraint("state <> 'refused' OR length(outcome_reason) > 0", name="refused_has_reason"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("ix_deposit_cancellations_booked_on", "booked_on"),
        Index(
            "ix_deposit_cancellations_merchant_open",
            "merchant_id",
            postgresql_where=text("state = 'awaiting_merchant'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    deposit_id: Mapped[str] = mapped_column(String(64), unique=True)  # one cancellation per deposit
    order_id: Mapped[str | None] = mapped_column(String(64))
    merchant_id: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    cancel_on: Mapped[date] = mapped_column(Date)
    booked_on: Mapped[date] = mapped_column(Date)  # the booking day: the merchant is asked that day
    merchant_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[DepositState] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    booked_by: Mapped[str] = mapped_column(Text)
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
