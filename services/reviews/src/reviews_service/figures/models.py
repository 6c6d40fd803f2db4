"""Proactive follow-up tasks for products rated under 4.8 (seed 002)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class ProductFollowUp(Base):
    """One per product and window: no other is made for the product until its window has passed."""

    __tablename__ = "product_follow_ups"
    __table_args__ = (UniqueConstraint("sku", "window_days", "window_end", name="uq_product_follow_ups_window"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    window_days: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)  # the last day counted
    ratings: Mapped[int] = mapped_column(Integer)
    average: Mapped[float] = mapped_column(Numeric(4, 3, asdecimal=False))
    threshold: Mapped[float] = mapped_column(Numeric(3, 2, asdecimal=False))
    state: Mapped[str] = mapped_column(String(16))  # open | done
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
