"""The customer flags reviews raised (E3)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class CustomerFlag(Base):
    """One per flagging review case (a resent event is the same flag), found by customer."""

    __tablename__ = "customer_flags"

    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # reviews' case that flagged them
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    report_id: Mapped[uuid.UUID] = mapped_column()  # the E2 report to the marketplace
    marketplace: Mapped[str] = mapped_column(String(32))
    review_id: Mapped[str] = mapped_column(String(128))
    order_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    flagged_by: Mapped[str] = mapped_column(Text)
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
