"""Post-contact ratings: one per (channel, channel rating id)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class ContactRating(Base):
    __tablename__ = "contact_ratings"
    __table_args__ = (
        UniqueConstraint("channel", "channel_rating_id", name="uq_contact_ratings_channel_rating"),
        Index("ix_contact_ratings_agent_rated", "agent", "rated_at"),
        Index("ix_contact_ratings_rated", "rated_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_rating_id: Mapped[str] = mapped_column(Text)
    contact_type: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[str] = mapped_column(Text)
    agent: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
