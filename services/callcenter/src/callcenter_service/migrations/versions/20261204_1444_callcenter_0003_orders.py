"""The call centre's read model of orders (A8 follow-ups, B reminders).

Revision ID: callcenter_0003
Revises: callcenter_0002
Create Date: 2026-12-04 14:44:03.772817
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "callcenter_0003"
down_revision: str | None = "callcenter_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "known_orders",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("customer_name", sa.Text(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_blocked_by", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_known_orders")),
    )


def downgrade() -> None:
    op.drop_table("known_orders")
