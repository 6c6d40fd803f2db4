"""Review cases the call centre learned had ended: kept so that a ``ReviewCallRequested``
delivered after its ``ReviewCaseClosed`` (a replay, a relay publishing out of order) opens no call."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class ReviewCaseClosure(Base):
    __tablename__ = "review_case_closures"

    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # reviews' case: once per case
    outcome: Mapped[str] = mapped_column(String(16))  # amended | not_amended | flagged
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # when reviews closed it
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # when the call centre learned it
