"""The whole return flow: per-line reasons, cancellation, refunds issued through the payment
port, goodwill, exchanges (T3A1/T3A2) and stock-in (T1B3/T3A4).

Revision ID: returns_0003
Revises: returns_0002
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "returns_0003"
down_revision: str | None = "returns_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = (
    "'requested', 'approved', 'rejected', 'received', 'refunded', 'cancelled', "
    "'exchange_requested', 'exchange_shipped', 'stocked_in'"
)


def upgrade() -> None:
    op.add_column("return_lines", sa.Column("reason", sa.String(32), server_default="other", nullable=False))
    op.add_column("returns", sa.Column("refund_id", sa.Uuid(), nullable=True))
    op.add_column("returns", sa.Column("refund_kind", sa.String(16), nullable=True))
    op.add_column("returns", sa.Column("goodwill_minor", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column("returns", sa.Column("refund_freight_minor", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column("returns", sa.Column("refund_issued_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("returns", sa.Column("refund_reference", sa.Text(), nullable=True))
    op.add_column("returns", sa.Column("replacement_order_id", sa.String(64), nullable=True))
    op.add_column("returns", sa.Column("exchange_difference_minor", sa.BigInteger(), nullable=True))
    op.add_column("returns", sa.Column("stocked_in_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_constraint("ck_returns_state_known", "returns", type_="check")
    op.create_check_constraint("ck_returns_state_known", "returns", f"state IN ({STATES})")
    op.create_index("ix_returns_refund_id", "returns", ["refund_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_returns_refund_id", table_name="returns")
    op.drop_constraint("ck_returns_state_known", "returns", type_="check")
    op.create_check_constraint(
        "ck_returns_state_known", "returns", "state IN ('requested', 'approved', 'rejected', 'received', 'refunded')"
    )
    for column in (
        "stocked_in_at",
        "exchange_difference_minor",
        "replacement_order_id",
        "refund_reference",
        "refund_issued_at",
        "refund_freight_minor",
        "goodwill_minor",
        "refund_kind",
        "refund_id",
    ):
        op.drop_column("returns", column)
    op.drop_column("return_lines", "reason")
