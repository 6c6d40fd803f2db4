"""The tables of complaints (PROCESSES.md §4): the complaint, its messages, their attachments."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class ComplaintState(StrEnum):
    open = "open"  # recorded, nobody owns it yet (§4.2 running)
    routed = "routed"  # a phone complaint offered to the dedicated person only (§4.5, USERONLY)
    assigned = "assigned"  # a named owner investigates
    waiting = "waiting"  # waiting on the customer: its clocks are paused
    closed = "closed"  # resolved or withdrawn. Reopenable.
    merged = "merged"  # folded into another complaint about the same order (reversible)


class Channel(StrEnum):
    phone = "phone"
    forum = "forum"
    wechat = "wechat"
    weibo = "weibo"
    shop_chat = "shop_chat"
    email = "email"


PUBLIC_CHANNELS = frozenset({Channel.forum, Channel.weibo})
"""Where the merchant concerned must post a public reply within 1 wd (§4.4)."""


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        # A channel's resend is the same complaint (the gateways' idempotency key).
        UniqueConstraint("channel", "channel_message_id", name="uq_complaints_channel_message"),
        # The list's keyset, and the reports' range aggregates read from the index alone (ADR 0026).
        Index(
            "ix_complaints_received",
            "received_at",
            "id",
            postgresql_include=[
                "state",
                "channel",
                "priority",
                "major",
                "merchant_id",
                "category",
                "brand",
                "merchant_replied_at",
            ],
        ),
        Index("ix_complaints_state_received", "state", "received_at", "id"),
        Index("ix_complaints_customer_order", "customer_id", "order_id"),
        Index("ix_complaints_order_id", "order_id"),
        Index("ix_complaints_merchant_id", "merchant_id"),
        Index("ix_complaints_owner", "owner"),
        Index("ix_complaints_merged_into", "merged_into"),
        # The reports (reports/, ADR 0026): closed per day in the calendar's zone.
        Index("ix_complaints_closed_at", "closed_at", postgresql_where=text("closed_at IS NOT NULL")),
        # The unresolved ones (weekly report, open-complaint gauges), oldest first.
        Index(
            "ix_complaints_unresolved",
            "received_at",
            "id",
            postgresql_where=text("state NOT IN ('closed', 'merged')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    state: Mapped[ComplaintState] = mapped_column(String(16))
    channel: Mapped[Channel] = mapped_column(String(16))
    channel_message_id: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    sender_name: Mapped[str] = mapped_column(Text, server_default="")
    sender_handle: Mapped[str] = mapped_column(Text, server_default="")
    customer_id: Mapped[str | None] = mapped_column(Text)
    order_id: Mapped[str | None] = mapped_column(String(64))
    order_known: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    merchant_id: Mapped[str | None] = mapped_column(Text)
    paid_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    # §4 monthly analysis (月度投诉总量及品类,品牌分析): the product category and brand the complaint
    # is about, as the channel or the agent gives them; None: not given (reported as such).
    category: Mapped[str | None] = mapped_column(Text)
    brand: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[Priority] = mapped_column(String(8))
    priority_rule: Mapped[str] = mapped_column(Text)
    major: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    owner: Mapped[str | None] = mapped_column(Text)
    routed_to: Mapped[str | None] = mapped_column(Text)
    waiting_reason: Mapped[str | None] = mapped_column(Text)
    waiting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    waiting_from: Mapped[str | None] = mapped_column(String(16))
    merged_into: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("complaints.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    merchant_replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ComplaintMessage(Base):
    """What was said, in order: the customer's words (in), the shop's replies (out), the
    merchant's public reply (merchant). E-mail keeps its Message-ID for threading replies."""

    __tablename__ = "complaint_messages"
    __table_args__ = (
        Index("ix_complaint_messages_complaint", "complaint_id", "at", "id"),
        Index("ix_complaint_messages_email_id", "email_message_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"))
    direction: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    email_message_id: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ComplaintAttachment(Base):
    """A file that came with a message, kept in the attachment store (ADR 0020) under its key."""

    __tablename__ = "complaint_attachments"
    __table_args__ = (Index("ix_complaint_attachments_complaint", "complaint_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"))
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaint_messages.id"))
    storage_key: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
