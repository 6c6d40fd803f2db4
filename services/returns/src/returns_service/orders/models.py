"""Orders as the returns service knows them: the latest facts from the shop's order system."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Computed, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base


class OrderStatus(StrEnum):
    placed = "placed"
    paid = "paid"
    shipped = "shipped"
    signed = "signed"
    cancelled = "cancelled"


# M1's match keys, normalised as the parcel side is (matching.py) and kept by the database
# itself (returns_0009): the candidate query looks parcels' labels up in their indexes
# instead of normalising every open return's order on every batch.
PHONE_KEY = r"right(regexp_replace(customer_phone, '\D', '', 'g'), 11)"
NAME_KEY = r"lower(regexp_replace(customer_name, '\s+', '', 'g'))"
ADDRESS_KEY = r"lower(regexp_replace(address, '[\s,.;，。；：、#-]+', '', 'g'))"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_phone", "customer_phone"),
        Index("ix_orders_tracking_number", "tracking_number"),
        Index("ix_orders_merchant_id", "merchant_id"),
        # "C" ordering: a masked phone (138____8000) is looked up by its digit prefix range.
        Index("ix_orders_phone_key", text('phone_key COLLATE "C"')),
        Index("ix_orders_name_key", "name_key"),
        Index("ix_orders_address_key", "address_key"),
    )

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    merchant_id: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    customer_name: Mapped[str] = mapped_column(Text, default="")
    customer_phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone_key: Mapped[str | None] = mapped_column(Text, Computed(PHONE_KEY, persisted=True))
    name_key: Mapped[str | None] = mapped_column(Text, Computed(NAME_KEY, persisted=True))
    address_key: Mapped[str | None] = mapped_column(Text, Computed(ADDRESS_KEY, persisted=True))
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[OrderStatus] = mapped_column(String(16))
    courier: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list[OrderLine]] = relationship(lazy="raise", order_by="OrderLine.sku", cascade="all, delete-orphan")


class OrderLine(Base):
    __tablename__ = "order_lines"

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id", ondelete="CASCADE"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int]
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)


class OrderFactReceipt(Base):
    """One row per fact taken in: the shop's event id makes the intake idempotent."""

    __tablename__ = "order_fact_receipts"

    shop_event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
