"""The tables of the callback queue: tasks, the do-not-call register, and the supervisors'
calling-window overrides."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    Sequence,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base

LEASE_TOKENS = Sequence("callback_lease_tokens", metadata=Base.metadata)
"""Fencing tokens: every claim takes the next one, so a lapsed holder's token never matches again."""


class TaskState(StrEnum):
    open = "open"  # in the queue (possibly leased to an agent right now)
    reached = "reached"  # the customer was reached; a call summary is recorded. End.
    unreachable = "unreachable"  # closed after at least two unanswered attempts. End.
    withdrawn = "withdrawn"  # no longer needed (do-not-call, a return or complaint opened, paid). End.


FINAL_STATES = (TaskState.reached, TaskState.unreachable, TaskState.withdrawn)


class CallbackTask(Base):
    __tablename__ = "callback_tasks"
    __table_args__ = (
        # One task per (source, source step) on every path: API, events, sweeps.
        UniqueConstraint("source", "source_step", name="uq_callback_tasks_source_step"),
        CheckConstraint(f"state IN ({', '.join(repr(state.value) for state in TaskState)})", name="state_known"),
        CheckConstraint("unanswered <= attempts", name="unanswered_within_attempts"),
        CheckConstraint("state <> 'unreachable' OR unanswered >= 2", name="unreachable_after_two_attempts"),
        CheckConstraint("state <> 'reached' OR length(summary) > 0", name="reached_has_summary"),
        CheckConstraint("party_size IS NULL OR party_size BETWEEN 1 AND 20", name="party_size_sane"),
        Index("ix_callback_tasks_event", "event_date", postgresql_where=text("kind = 'event_signup'")),
        # The claim's scan: open tasks in queue order (ADR 0015's claim is set-based, not a transition).
        Index(
            "ix_callback_tasks_queue",
            "priority",
            "due_at",
            "requested_at",
            "id",
            postgresql_where=text("state = 'open'"),
        ),
        Index("ix_callback_tasks_phone_open", "phone", postgresql_where=text("state = 'open'")),
        Index("ix_callback_tasks_order", "order_id", postgresql_where=text("order_id IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    priority_class: Mapped[str] = mapped_column(String(8))  # highest | high | medium | low
    priority: Mapped[int] = mapped_column(SmallInteger)  # the queue's order: class, then rank in it
    source: Mapped[str] = mapped_column(String(128))
    source_step: Mapped[str] = mapped_column(String(8))
    state: Mapped[TaskState] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    customer_name: Mapped[str] = mapped_column(Text, default="")
    order_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    customer_flag: Mapped[str | None] = mapped_column(Text)  # E3 (reviews): handle the next contact with care
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # kept on requeue
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_rule: Mapped[str] = mapped_column(Text)  # the rule the due time came from, in words
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    unanswered: Mapped[int] = mapped_column(Integer, default=0)
    lease_holder: Mapped[str | None] = mapped_column(Text)
    lease_token: Mapped[int | None] = mapped_column(BigInteger)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by_override: Mapped[uuid.UUID | None] = mapped_column()  # the calling-window override used
    summary: Mapped[str | None] = mapped_column(Text)
    event_date: Mapped[date | None] = mapped_column(Date)  # event signups and post-event lists
    attending: Mapped[bool | None] = mapped_column()  # event signups: confirmed on the call
    party_size: Mapped[int | None] = mapped_column(SmallInteger)  # expected attendees, when attending
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CallAttempt(Base):
    """Each call an agent made on a task, with its lease token (attempts per task, on-time %)."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    task_id: Mapped[uuid.UUID] = mapped_column(index=True)
    lease_token: Mapped[int] = mapped_column(BigInteger, unique=True)  # one outcome per lease
    agent: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))  # no_answer | reached | unreachable
    summary: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DoNotCall(Base):
    """Phones that must never be called again: open tasks close, new ones are refused."""

    __tablename__ = "do_not_call"

    phone: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CallingWindowOverride(Base):
    """A supervisor opened calling outside working time, for a while and with a reason."""

    __tablename__ = "calling_window_overrides"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="starts_before_ends"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CustomerFlag(Base):
    """E3 (reviews): a customer to handle with care on the next contact; shown on their tasks."""

    __tablename__ = "customer_flags"
    __table_args__ = (
        CheckConstraint("customer_id IS NOT NULL OR phone IS NOT NULL", name="names_someone"),
        Index("ix_customer_flags_customer", "customer_id"),
        Index("ix_customer_flags_phone", "phone"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(128), unique=True)  # the flagging case: once per source
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
