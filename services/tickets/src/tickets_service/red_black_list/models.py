"""The tables of the red/black list: one row per version of a month's list, one per merchant on it.

A decided version is immutable: the database refuses any change to it or to its entries
(triggers of migration tickets_0005, constraint name ``red_black_list_decided``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class ListState(StrEnum):
    nominated = "nominated"  # nominated by the rules, under a supervisor's review (§4.6 running)
    decided = "decided"  # immutable


class Standing(StrEnum):
    red = "red"  # 红榜: a merchant that cooperated well
    black = "black"  # 黑榜: a merchant complained about most, or late with its public replies
    none = "none"  # reviewed off the list


class RedBlackList(Base):
    __tablename__ = "red_black_lists"
    __table_args__ = (
        UniqueConstraint("month", "version", name="uq_red_black_lists_month_version"),
        # At most one version of a month under review at a time.
        Index("uq_red_black_lists_month_nominated", "month", unique=True, postgresql_where=text("state = 'nominated'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)  # the month's first day, in the calendar's zone
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[ListState] = mapped_column(String(16))
    rules: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the thresholds in force at nomination
    supersedes: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("red_black_lists.id"))
    reason: Mapped[str | None] = mapped_column(Text)  # a correction's why
    nominated_by: Mapped[str] = mapped_column(Text)
    nominated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RedBlackEntry(Base):
    """A merchant on a version: what the rules nominated, what the review made of it, and the
    month's figures it was judged on."""

    __tablename__ = "red_black_entries"
    __table_args__ = (Index("ix_red_black_entries_merchant", "merchant_id"),)

    list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("red_black_lists.id"), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nominated: Mapped[Standing | None] = mapped_column(String(8))  # None: added in review
    basis: Mapped[str] = mapped_column(Text)  # the rule that nominated it, or the reviewer's
    standing: Mapped[Standing] = mapped_column(String(8))
    complaints: Mapped[int] = mapped_column(Integer)
    major: Mapped[int] = mapped_column(Integer)
    public_complaints: Mapped[int] = mapped_column(Integer)
    merchant_breaches: Mapped[int] = mapped_column(Integer)
    on_time_percent: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, server_default="")
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
