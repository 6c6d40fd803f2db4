"""The pre-sale inquiry (§1, A1): who asked about what, who served them, and how it ended."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class InquiryState(StrEnum):
    open = "open"  # asked, not (yet) ordered
    converted = "converted"  # the customer ordered within the window
    failed = "failed"  # the agent recorded why it did not convert (kept for analysis, seed 004)


class InquiryChannel(StrEnum):
    shop_chat = "shop_chat"  # 旺旺, the channel gateway
    phone = "phone"
    wechat = "wechat"
    other = "other"


class InquiryOutcome(StrEnum):
    """What the follow-up of an unconverted inquiry found."""

    will_order = "will_order"
    not_interested = "not_interested"
    unreachable = "unreachable"
    other = "other"


class Inquiry(Base):
    __tablename__ = "inquiries"
    __table_args__ = (
        # The gateway's idempotency key: a resend of a chat message is the same inquiry.
        UniqueConstraint("channel", "channel_message_id", name="uq_inquiries_channel_message"),
        Index("ix_inquiries_asked", "asked_at", "id"),
        Index("ix_inquiries_customer_asked", "customer_id", "asked_at"),
        Index("ix_inquiries_agent_asked", "agent", "asked_at"),
        Index("ix_inquiries_state_asked", "state", "asked_at", "id"),
        Index("ix_inquiries_converted_order", "converted_order_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    state: Mapped[InquiryState] = mapped_column(String(16))
    channel: Mapped[InquiryChannel] = mapped_column(String(16))
    channel_message_id: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[str] = mapped_column(String(64))
    customer_handle: Mapped[str] = mapped_column(Text, server_default="")
    products: Mapped[list[str]] = mapped_column(ARRAY(Text))
    question: Mapped[str] = mapped_column(Text)
    agent: Mapped[str] = mapped_column(Text)  # who served the customer (the KPIs' agent)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_reply_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conversion_window_days: Mapped[int] = mapped_column(Integer)  # the window in force when recorded
    converts_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    converted_order_id: Mapped[str | None] = mapped_column(String(64))
    converted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # when that order was placed
    converted_order_minor: Mapped[int | None] = mapped_column(BigInteger)  # its total when placed
    failure_reason: Mapped[str | None] = mapped_column(Text)
    failed_by: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A3: the last question about a detail the product page does not give, and its answer.
    detail_question: Mapped[str | None] = mapped_column(Text)
    detail_asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    detail_promised_via: Mapped[str | None] = mapped_column(String(16))
    detail_answer: Mapped[str | None] = mapped_column(Text)
    detail_answered_by: Mapped[str | None] = mapped_column(Text)
    customer_told_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    customer_told_via: Mapped[str | None] = mapped_column(String(16))
    # Follow-up of an unconverted inquiry (seed 002): the last one.
    followed_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    followed_up_by: Mapped[str | None] = mapped_column(Text)
    follow_up_outcome: Mapped[str | None] = mapped_column(String(16))
    follow_up_note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
