"""Cancellation requests (T1, T1B1, T1B2; §6.4).

Revision ID: returns_0005
Revises: returns_0004
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "returns_0005"
down_revision: str | None = "returns_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_cancellations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_party", sa.String(16), nullable=False),
        sa.Column("freight_payer", sa.String(16), nullable=False),
        sa.Column("freight_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("confirmed_by", sa.Text(), nullable=True),
        sa.Column("customer_note", sa.Text(), nullable=True),
        sa.Column("refund_id", sa.Uuid(), nullable=True),
        sa.Column("refund_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("refund_method", sa.String(16), nullable=True),
        sa.Column("refund_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refund_reference", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('closed_unpaid', 'awaiting_warehouse', 'confirmed', 'intercept_requested', 'intercepted', "
            "'refunded')",
            name="ck_order_cancellations_state_known",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_order_cancellations"),
        sa.UniqueConstraint("refund_id", name="uq_order_cancellations_refund_id"),
    )
    op.create_index("ix_order_cancellations_order_id", "order_cancellations", ["order_id"])


def downgrade() -> None:
    op.drop_table("order_cancellations")
