"""Customer flags from reviews (E3, CustomerFlagged): one per flagging review case, found by
customer, shown to staff on that customer's complaints and cases.

Revision ID: tickets_0003
Revises: tickets_0002
Create Date: 2026-12-04 15:38:27.673428
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tickets_0003"
down_revision: str | None = "tickets_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_flags",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("marketplace", sa.String(length=32), nullable=False),
        sa.Column("review_id", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("flagged_by", sa.Text(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_customer_flags")),
    )
    op.create_index(op.f("ix_customer_flags_customer_id"), "customer_flags", ["customer_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_flags_customer_id"), table_name="customer_flags")
    op.drop_table("customer_flags")
