"""The remedies table."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class RemedyState(StrEnum):
    proposed = "proposed"  # Z4: agreed with the customer, waiting for the supervisor
    approved = "approved"  # Z5
    rejected = "rejected"  # Z5 refused. End.
    agreed = "agreed"  # Z6: confirmed with the customer; RemedyApproved published. End.
    declined = "declined"  # Z6: the customer declined after approval. End.


# What counts against the order's paid price: every remedy not refused or declined.
LIVE_STATES = (RemedyState.proposed, RemedyState.approved, RemedyState.agreed)


class RemedyKind(StrEnum):
    refund = "refund"  # part of the price back
    compensation = "compensation"  # money for the trouble
    voucher = "voucher"  # a coupon for the next order


class Remedy(Base):
    __tablename__ = "remedies"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("amount_minor + granted_before_minor <= cap_minor", name="within_paid_price"),
        Index("ix_remedies_order_state", "order_id", "state"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cases.id"), index=True)
    review_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviews.id"))
    order_id: Mapped[str] = mapped_column(String(64))
    merchant_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[RemedyKind] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # The limit in force when it was proposed (§10): the paid price, and what other remedies
    # for the order already took of it.
    cap_minor: Mapped[int] = mapped_column(BigInteger)
    granted_before_minor: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[RemedyState] = mapped_column(String(16))
    proposed_by: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
