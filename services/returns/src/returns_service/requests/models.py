"""A refund request, where T1 routed it, and its audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class RefundRequestState(StrEnum):
    open = "open"  # T1: the agent checks whether the order has shipped
    cancellation = "cancellation"  # paid, not shipped: handed to a cancellation (T1B1 runs there). End.
    closed = "closed"  # unpaid: the order is simply closed. End.
    negotiating = "negotiating"  # shipped: T1A1 agree reason, items, amount, courier, freight
    filed = "filed"  # T1A2 the return is filed. End.
    withdrawn = "withdrawn"  # the customer changed their mind, or no agreement. End.


OPEN_STATES = (RefundRequestState.open, RefundRequestState.negotiating)


class RefundRequest(Base):
    __tablename__ = "refund_requests"
    __table_args__ = (
        CheckConstraint(
            "state IN ('open', 'cancellation', 'closed', 'negotiating', 'filed', 'withdrawn')", name="state_known"
        ),
        Index("ix_refund_requests_state_created", "state", "created_at", "id"),
        Index("ix_refund_requests_order_id", "order_id"),
        # One request in progress per order (the service answers 409 first; this is the backstop).
        Index(
            "uq_refund_requests_open_order",
            "order_id",
            unique=True,
            postgresql_where=text("state IN ('open', 'negotiating')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[RefundRequestState] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    # T1: the order's status the agent found (placed | paid | shipped | signed).
    order_status: Mapped[str | None] = mapped_column(String(16))
    cancellation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("order_cancellations.id"))
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    routed_by: Mapped[str | None] = mapped_column(Text)
    routed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
