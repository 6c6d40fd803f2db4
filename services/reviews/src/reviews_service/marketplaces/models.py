"""The operator's amendment policy per marketplace, where it differs from the published rule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class MarketplacePolicy(Base):
    __tablename__ = "marketplace_policies"
    __table_args__ = (CheckConstraint("max_requests >= 0 AND window_days >= 0", name="amend_limits_not_negative"),)

    marketplace: Mapped[str] = mapped_column(String(32), primary_key=True)
    amend_allowed: Mapped[bool] = mapped_column(Boolean)
    max_requests: Mapped[int] = mapped_column(Integer)
    window_days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
