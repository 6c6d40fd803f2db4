"""Pre-sale discounts (A5) and each order's running total of granted discounts (the cap's row)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class DiscountState(StrEnum):
    granted = "granted"  # within the agents' authority: granted by the requester at once
    pending = "pending"  # above it: waits for a supervisor
    approved = "approved"  # a supervisor (not the requester) approved it
    rejected = "rejected"


class PresaleDiscount(Base):
    __tablename__ = "presale_discounts"
    __table_args__ = (
        Index("ix_presale_discounts_order", "order_id", "requested_at"),
        Index("ix_presale_discounts_state_requested", "state", "requested_at", "id"),
        Index("ix_presale_discounts_requested", "requested_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    state: Mapped[DiscountState] = mapped_column(String(16))
    order_id: Mapped[str] = mapped_column(String(64))
    inquiry_id: Mapped[uuid.UUID | None] = mapped_column()
    customer_id: Mapped[str | None] = mapped_column(String(64))
    merchant_id: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The rule in force when it was decided: the agents' limit and what the order had before.
    agent_limit_minor: Mapped[int] = mapped_column(BigInteger)
    granted_before_minor: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrderDiscountTotal(Base):
    """One row per order: what has been granted (by agents and supervisors). Held ``FOR UPDATE``
    while a grant is decided, so two concurrent grants cannot both pass the agents' cap."""

    __tablename__ = "presale_discount_orders"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    granted_minor: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
