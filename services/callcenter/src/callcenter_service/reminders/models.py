"""Reminders, the supervisor's scripts (B2) and SMS opt-outs."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class ReminderState(StrEnum):
    scheduled = "scheduled"
    sent = "sent"  # End.
    cancelled = "cancelled"  # paid before it went out. End.
    closed = "closed"  # an impulse order closed instead (seed 002). End.


class UnpaidReminder(Base):
    __tablename__ = "unpaid_reminders"
    __table_args__ = (
        UniqueConstraint("order_id", "step", name="uq_unpaid_reminders_order_step"),  # once per (order, step)
        CheckConstraint(f"state IN ({', '.join(repr(s.value) for s in ReminderState)})", name="state_known"),
        Index("ix_unpaid_reminders_due", "send_after", postgresql_where=text("state = 'scheduled'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(4))  # B3 chat | B4 SMS (planned)
    channel: Mapped[str] = mapped_column(String(8))  # chat | sms (planned)
    state: Mapped[ReminderState] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    send_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # within 1 h of the order
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_channel: Mapped[str | None] = mapped_column(String(8))  # SMS falls back to chat in quiet hours
    message: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReminderScript(Base):
    """B2: the script a supervisor keeps, per channel; the channel adapters send its text."""

    __tablename__ = "reminder_scripts"

    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SmsOptOut(Base):
    """A phone that opted out of SMS: respected forever (chat instead)."""

    __tablename__ = "sms_opt_outs"

    phone: Mapped[str] = mapped_column(String(32), primary_key=True)
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
