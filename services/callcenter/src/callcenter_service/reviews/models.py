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


class ReviewCallAwaitingPhone(Base):
    """A W1 call reviews asked for while no number was known (not on the event, not on the
    order): parked, not dropped. It opens when the order's number arrives (``OrderPlaced``),
    and is resolved as closed when the case ends first. Supervisors see what still waits."""

    __tablename__ = "review_calls_awaiting_phone"

    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # reviews' case: once per case
    order_id: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the 24 h runs from here
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # as reviews said (it owns W1's clock)
    parked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(String(16))  # opened | closed | do_not_call
