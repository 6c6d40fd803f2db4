"""The period close's tables: a month's status and close report, and finance's check mark
on a line of a monthly table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class LedgerPeriod(Base):
    """A month (first day, business zone). A closed month refuses postings (trigger)."""

    __tablename__ = "ledger_periods"
    __table_args__ = (
        CheckConstraint("extract(day FROM month) = 1", name="first_of_month"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
    )

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(8), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class LineCheck(Base):
    """Finance checked a line of a monthly table (C5, T5): the line is reconciled."""

    __tablename__ = "line_checks"

    transaction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_transactions.id"), primary_key=True)
    checked_by: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
