"""The tables of malicious-review reports and their evidence."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class ReportReason(StrEnum):
    """Why a review is malicious: the fixed list a report picks from (the grounds marketplaces
    accept for removing a review)."""

    extortion = "extortion"  # 敲诈勒索: a bad review to extract money or goods (improper gain)
    competitor = "competitor"  # 同行恶意差评: a competitor posing as a buyer
    abusive = "abusive"  # 辱骂: insults, threats
    advertising = "advertising"  # 广告: spam or advertising
    privacy = "privacy"  # 泄露隐私: discloses personal data
    irrelevant = "irrelevant"  # 与商品无关: not about the goods or the service


class ReportOutcome(StrEnum):
    pending = "pending"  # E2 filed, the marketplace has not decided
    upheld = "upheld"  # the marketplace removed the review: it leaves the figures
    rejected = "rejected"  # the review stays


class ReviewReport(Base):
    __tablename__ = "review_reports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cases.id"), unique=True)
    review_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviews.id"))
    marketplace: Mapped[str] = mapped_column(String(32))
    reason: Mapped[ReportReason] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    outcome: Mapped[ReportOutcome] = mapped_column(String(16))
    marketplace_ref: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportEvidence(Base):
    """A piece of evidence: the bytes live behind the storage port under ``key`` (ADR 0020)."""

    __tablename__ = "report_evidence"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_reports.id"), index=True)
    key: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(Text)
