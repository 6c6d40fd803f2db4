"""The call log: each call's events as they came, and the call as they add up."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, DateTime, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class CallStatus(StrEnum):
    offered = "offered"  # ringing or queued: no outcome heard yet
    answered = "answered"
    abandoned = "abandoned"  # the caller hung up waiting
    missed = "missed"  # came in outside hours; nobody could answer


class CallEventKind(StrEnum):
    offered = "offered"
    answered = "answered"
    abandoned = "abandoned"
    missed_outside_hours = "missed_outside_hours"


class CallEventRecord(Base):
    """One telephony event, once: a resend of (call, kind) changes nothing."""

    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "kind", name="uq_call_events_call_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InboundCall(Base):
    """A call as its events add up, whatever order they came in: answered wins over
    abandoned, and both over offered."""

    __tablename__ = "inbound_calls"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s.value) for s in CallStatus)})", name="status_known"),
        Index("ix_inbound_calls_day", "business_day"),
        # The missed-call list: missed callers not yet swept into a callback.
        Index("ix_inbound_calls_missed", "started_at", postgresql_where=text("missed AND swept_at IS NULL")),
    )

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    phone: Mapped[str] = mapped_column(String(32))
    status: Mapped[CallStatus] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the earliest event's time
    business_day: Mapped[date] = mapped_column(Date)  # started_at's day in the calendar's zone
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    missed: Mapped[bool] = mapped_column(default=False)  # on the missed-call list (short abandons too)
    swept_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    callback_task_id: Mapped[uuid.UUID | None] = mapped_column()
    complaint_owner: Mapped[str | None] = mapped_column(Text)
    complaint_summary: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CallLossBreach(Base):
    """A day whose call-loss rate passed the limit: the event fires once per day."""

    __tablename__ = "call_loss_breaches"

    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    rate_percent: Mapped[float] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
