"""Tables of the parcel flows: scans as the scanners sent them, parcels derived from them,
and the daily 09:00 log runs (M)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class ScanKind(StrEnum):
    arrived = "arrived"
    opened = "opened"
    inspected = "inspected"
    stocked_in = "stocked_in"


# Tie-break for scans with the same instant: the later step in the warehouse wins.
KIND_ORDER: dict[str, int] = {ScanKind.arrived: 0, ScanKind.opened: 1, ScanKind.inspected: 2, ScanKind.stocked_in: 3}


class ParcelStatus(StrEnum):
    matched = "matched"  # M1 automatic, or M3 identified by customer service → M5
    unmatched = "unmatched"  # M2: waiting for customer service to identify it
    unclaimed = "unclaimed"  # M4–M6: in the unclaimed-parcel register
    claimed = "claimed"  # M5 later: an unclaimed parcel linked to its return


class Disposition(StrEnum):
    held = "held"
    returned_to_sender = "returned_to_sender"
    disposed = "disposed"


class ParcelScan(Base):
    """One scanner event; ``scan_id`` makes a resent scan a no-op."""

    __tablename__ = "parcel_scans"
    __table_args__ = (
        CheckConstraint("kind IN ('arrived', 'opened', 'inspected', 'stocked_in')", name="kind_known"),
        Index("ix_parcel_scans_tracking_scanned", "tracking_number", "scanned_at"),
    )

    scan_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    courier: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    sender_name: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    return_number: Mapped[str | None] = mapped_column(String(64))
    intact: Mapped[bool | None] = mapped_column(Boolean)
    lines: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
    scanned_by: Mapped[str] = mapped_column(Text)


class Parcel(Base):
    """A parcel at the warehouse, keyed by its courier tracking number."""

    __tablename__ = "parcels"
    __table_args__ = (
        CheckConstraint("status IN ('matched', 'unmatched', 'unclaimed', 'claimed')", name="status_known"),
        CheckConstraint(
            "disposition IS NULL OR disposition IN ('held', 'returned_to_sender', 'disposed')", name="disposition_known"
        ),
        CheckConstraint("(return_id IS NULL) = (status IN ('unmatched', 'unclaimed'))", name="linked_when_matched"),
        # One parcel per return: a second parcel can never be linked to the same return.
        Index("uq_parcels_return_id", "return_id", unique=True, postgresql_where=text("return_id IS NOT NULL")),
        Index("ix_parcels_status_first_scan", "status", "first_scan_at", "id"),
        Index("ix_parcels_unlogged", "first_scan_at", postgresql_where=text("logged_on IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tracking_number: Mapped[str] = mapped_column(String(64), unique=True)
    courier: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    sender_name: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    return_number: Mapped[str | None] = mapped_column(String(64))
    first_scan_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_scan_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stage: Mapped[str] = mapped_column(String(16))  # kind of the latest scan by scanned_at
    status: Mapped[str] = mapped_column(String(16))
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"))
    matched_by: Mapped[str | None] = mapped_column(String(32))
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    match_note: Mapped[str | None] = mapped_column(Text)  # why not matched (no candidate / ambiguous)
    inspected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    intact: Mapped[bool | None] = mapped_column(Boolean)
    inspected_lines: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    inspected_by: Mapped[str | None] = mapped_column(Text)
    attention: Mapped[str | None] = mapped_column(String(32))  # not-intact | tracking-number-missing | receipt-refused
    receipt_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unclaimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unclaimed_by: Mapped[str | None] = mapped_column(Text)
    unclaimed_note: Mapped[str | None] = mapped_column(Text)
    disposition: Mapped[str | None] = mapped_column(String(24))
    disposition_note: Mapped[str | None] = mapped_column(Text)
    disposition_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(Text)
    logged_on: Mapped[date | None] = mapped_column(Date)  # the M daily log that listed it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ParcelLogRun(Base):
    """One daily 09:00 parcel log (M): what arrived since the previous run."""

    __tablename__ = "parcel_log_runs"

    run_date: Mapped[date] = mapped_column(Date, primary_key=True)
    scheduled_for: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    parcels: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    unmatched: Mapped[int] = mapped_column(Integer)
    unclaimed: Mapped[int] = mapped_column(Integer)
