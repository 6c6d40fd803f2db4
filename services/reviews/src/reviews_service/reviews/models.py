"""The tables of reviews: the review as the marketplace last sent it, every version received
(the intake's idempotency key), and the case a neutral or negative review opens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class Rating(StrEnum):
    good = "good"  # 4–5 stars: no case
    neutral = "neutral"  # 3 stars (中评)
    negative = "negative"  # 1–2 stars (差评)


def rating_of(stars: int) -> Rating:
    return Rating.good if stars >= 4 else Rating.neutral if stars == 3 else Rating.negative


class CasePath(StrEnum):
    misunderstanding = "misunderstanding"  # W1 → W5
    quality = "quality"  # Z1 → Z6, then W3 → W5
    malicious = "malicious"  # E1 → E3


class CaseState(StrEnum):
    awaiting_call = "awaiting_call"  # opened: the 24 h call (W1 clock)
    misunderstanding = "misunderstanding"  # W1: the call found a misunderstanding
    answered = "answered"  # W2: every point answered
    quality = "quality"  # Z1: the call found a quality problem
    heard = "heard"  # Z2: listened
    explained = "explained"  # Z3: cause analysed and explained (remedies Z4–Z6 from here)
    amend_requested = "amend_requested"  # W3 asked; W4 follows up every 3 wd
    malicious = "malicious"  # E1: confirmed malicious
    reported = "reported"  # E2: reported to the marketplace
    flagged = "flagged"  # E3: the customer recorded. End.
    amended = "amended"  # W5: the review changed to good. End.
    not_amended = "not_amended"  # the window closed, or asking was not possible. End.


OPEN_STATES = tuple(s for s in CaseState if s not in {CaseState.flagged, CaseState.amended, CaseState.not_amended})


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("marketplace", "review_id", name="uq_reviews_marketplace_review"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),
        Index("ix_reviews_sku_reviewed", "sku", "reviewed_at"),
        Index("ix_reviews_marketplace_reviewed", "marketplace", "reviewed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    marketplace: Mapped[str] = mapped_column(String(32))
    review_id: Mapped[str] = mapped_column(String(128))
    order_id: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    sku: Mapped[str | None] = mapped_column(String(64))
    stars: Mapped[int] = mapped_column(SmallInteger)
    rating: Mapped[Rating] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    dsr_description: Mapped[int | None] = mapped_column(SmallInteger)
    dsr_service: Mapped[int | None] = mapped_column(SmallInteger)
    dsr_logistics: Mapped[int | None] = mapped_column(SmallInteger)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the marketplace's, latest applied
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # E2 upheld: the marketplace removed it, so the figures leave it out.
    excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql("false"))


class ReviewVersion(Base):
    """One row per version received: (marketplace, review id, updated at) makes intake idempotent."""

    __tablename__ = "review_versions"

    marketplace: Mapped[str] = mapped_column(String(32), primary_key=True)
    review_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    stars: Mapped[int] = mapped_column(SmallInteger)
    outcome: Mapped[str] = mapped_column(String(16))  # applied | stale
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReviewCase(Base):
    __tablename__ = "review_cases"
    __table_args__ = (
        # One open case per review; a review that turns bad again after its case ended opens another.
        Index("uq_review_cases_open_review", "review_pk", unique=True, postgresql_where=sql("closed_at IS NULL")),
        Index("ix_review_cases_state_opened", "state", "opened_at", "id"),
        Index("ix_review_cases_customer", "customer_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    review_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviews.id"))
    marketplace: Mapped[str] = mapped_column(String(32))
    review_id: Mapped[str] = mapped_column(String(128))
    order_id: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    rating: Mapped[Rating] = mapped_column(String(16))  # when it opened
    state: Mapped[CaseState] = mapped_column(String(24))
    path: Mapped[CasePath | None] = mapped_column(String(24))
    bad_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the review's own time: the call's start
    call_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    called_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    called_by: Mapped[str | None] = mapped_column(Text)
    amend_requests: Mapped[int] = mapped_column(Integer, default=0)
    # The policy in force at the first W3, kept with the case: W4 follows up until it closes.
    amend_window_closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    amend_max_requests: Mapped[int | None] = mapped_column(Integer)
    updates_while_bad: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
