"""The return and its lines (PROCESSES.md §6.2)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base


class ReturnState(StrEnum):
    requested = "requested"  # T1A2 filed, waiting for the supervisor (T1A3)
    approved = "approved"  # T1A3 approved, waiting for the parcel (T1A4/T1A5)
    rejected = "rejected"  # T1A3 rejected. End.
    received = "received"  # T1A5 receipt confirmed, refund or exchange next (T2)
    refunded = "refunded"  # T2A refund approved (issued through the payment port next)
    cancelled = "cancelled"  # withdrawn by the customer or an agent before receipt. End.
    exchange_requested = "exchange_requested"  # T2B → T3A1 replacement order placed
    exchange_shipped = "exchange_shipped"  # T3A2 replacement shipped
    stocked_in = "stocked_in"  # T1B3 / T3A4 returned goods back in stock. End.


class LineReason(StrEnum):
    """Why a line comes back (per line, for QC and the return-rate reports)."""

    damaged_in_transit = "damaged_in_transit"
    quality_problem = "quality_problem"
    wrong_item = "wrong_item"
    missing_parts = "missing_parts"
    not_as_described = "not_as_described"
    size_or_fit = "size_or_fit"
    changed_mind = "changed_mind"
    other = "other"


class ReturnRequest(Base):
    __tablename__ = "returns"
    __table_args__ = (
        CheckConstraint("requested_refund_minor >= 0", name="requested_refund_not_negative"),
        CheckConstraint("freight_minor >= 0", name="freight_not_negative"),
        CheckConstraint("freight_payer IN ('shop', 'customer')", name="freight_payer_known"),
        CheckConstraint(f"state IN ({', '.join(repr(state.value) for state in ReturnState)})", name="state_known"),
        Index("ix_returns_state_created", "state", "created_at", "id"),
        Index("ix_returns_order_id", "order_id"),
        Index("ix_returns_refund_id", "refund_id", unique=True),
        # M1's return-tracking-number rule compares upper case (returns_0009).
        Index("ix_returns_tracking_upper", text("upper(return_tracking_number)")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    order_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[ReturnState] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    requested_refund_minor: Mapped[int] = mapped_column(BigInteger)
    freight_minor: Mapped[int] = mapped_column(BigInteger)
    freight_payer: Mapped[str] = mapped_column(String(8))
    refund_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    refund_method: Mapped[str | None] = mapped_column(String(16))
    # T1A4: the customer's return parcel, as the agent entered it (M1 matches on it).
    return_courier: Mapped[str | None] = mapped_column(String(64))
    return_tracking_number: Mapped[str | None] = mapped_column(String(64), index=True)
    refund_id: Mapped[uuid.UUID | None]
    refund_kind: Mapped[str | None] = mapped_column(String(16))
    goodwill_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_freight_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refund_reference: Mapped[str | None] = mapped_column(Text)
    replacement_order_id: Mapped[str | None] = mapped_column(String(64))
    exchange_difference_minor: Mapped[int | None] = mapped_column(BigInteger)
    stocked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Received but not to be refunded yet (e.g. inspection pending): T2A's clock is paused.
    refund_hold_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list[ReturnLine]] = relationship(
        lazy="raise", order_by="ReturnLine.line_no", cascade="all, delete-orphan"
    )


class ReturnLine(Base):
    __tablename__ = "return_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_minor >= 0", name="price_not_negative"),
        CheckConstraint("received_quantity >= 0 AND received_quantity <= quantity", name="received_within_quantity"),
        CheckConstraint(
            "damaged_quantity >= 0 AND damaged_quantity <= received_quantity", name="damaged_within_received"
        ),
    )

    return_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), primary_key=True)
    line_no: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    received_quantity: Mapped[int] = mapped_column(default=0)
    damaged_quantity: Mapped[int] = mapped_column(default=0)  # of the received ones
    reason: Mapped[str] = mapped_column(String(32), default=LineReason.other)
