"""Refund follow-ups (seed 002 (4)): the agent's second contact on a refund request, trying to
solve the customer's problem so the order is kept; one row per follow-up."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class RefundFollowUp(Base):
    __tablename__ = "refund_follow_ups"
    __table_args__ = (Index("ix_refund_follow_ups_agent_at", "agent", "followed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # retained | refunded | unreachable
    note: Mapped[str] = mapped_column(Text)
    agent: Mapped[str] = mapped_column(Text)
    followed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
