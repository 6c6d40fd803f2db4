"""A cancellation request and where it stands."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class CancellationState(StrEnum):
    closed_unpaid = "closed_unpaid"  # unpaid: the order is simply closed. End.
    awaiting_warehouse = "awaiting_warehouse"  # paid, not shipped: T1B1 the warehouse cancels
    confirmed = "confirmed"  # T1B1 done: a refund may follow (T1B2)
    intercept_requested = "intercept_requested"  # shipped: courier return or refusal asked for
    intercepted = "intercepted"  # the parcel came back: a refund may follow
    intercept_failed = "intercept_failed"  # the parcel was delivered: the order stands. End.
    refunded = "refunded"  # T1B2 refund approved. End.


class Cancellation(Base):
    __tablename__ = "order_cancellations"
    __table_args__ = (
        CheckConstraint(
            f"state IN ({', '.join(repr(state.value) for state in CancellationState)})", name="state_known"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[CancellationState] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text)
    reason_party: Mapped[str] = mapped_column(String(16))  # customer | shop
    freight_payer: Mapped[str] = mapped_column(String(16))  # customer | shop (shipped orders)
    freight_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    requested_by: Mapped[str] = mapped_column(Text)
    confirmed_by: Mapped[str | None] = mapped_column(Text)
    customer_note: Mapped[str | None] = mapped_column(Text)
    refund_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    refund_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    refund_method: Mapped[str | None] = mapped_column(String(16))
    refund_issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refund_reference: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
