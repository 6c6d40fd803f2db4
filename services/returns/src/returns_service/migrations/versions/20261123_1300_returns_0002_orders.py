"""Order read model (order facts intake) and the return's own tracking number (T1A4).

Revision ID: returns_0002
Revises: returns_0001
Create Date: 2026-11-23 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "returns_0002"
down_revision: str | None = "returns_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=True),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("customer_name", sa.Text(), nullable=False),
        sa.Column("customer_phone", sa.String(32), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("courier", sa.String(64), nullable=True),
        sa.Column("tracking_number", sa.String(64), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_id", name="pk_orders"),
    )
    op.create_index("ix_orders_customer_phone", "orders", ["customer_phone"])
    op.create_index("ix_orders_tracking_number", "orders", ["tracking_number"])
    op.create_index("ix_orders_merchant_id", "orders", ["merchant_id"])
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.order_id"], name="fk_order_lines_order_id_orders", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", "sku", name="pk_order_lines"),
    )
    op.create_table(
        "order_fact_receipts",
        sa.Column("shop_event_id", sa.String(128), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("shop_event_id", name="pk_order_fact_receipts"),
    )
    op.add_column("returns", sa.Column("return_courier", sa.String(64), nullable=True))
    op.add_column("returns", sa.Column("return_tracking_number", sa.String(64), nullable=True))
    op.create_index("ix_returns_return_tracking_number", "returns", ["return_tracking_number"])


def downgrade() -> None:
    op.drop_index("ix_returns_return_tracking_number", table_name="returns")
    op.drop_column("returns", "return_tracking_number")
    op.drop_column("returns", "return_courier")
    op.drop_table("order_fact_receipts")
    op.drop_table("order_lines")
    op.drop_table("orders")
