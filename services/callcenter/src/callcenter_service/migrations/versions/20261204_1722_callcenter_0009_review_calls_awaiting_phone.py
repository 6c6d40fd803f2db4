"""W1 review calls parked until the order's number is known (a request with no phone used to be
dropped); they open when OrderPlaced brings the number.

Revision ID: callcenter_0009
Revises: callcenter_0008
Create Date: 2026-12-04 17:22:37.923984
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "callcenter_0009"
down_revision: str | None = "callcenter_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_calls_awaiting_phone",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_review_calls_awaiting_phone")),
    )
    op.create_index(
        op.f("ix_review_calls_awaiting_phone_order_id"), "review_calls_awaiting_phone", ["order_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_review_calls_awaiting_phone_order_id"), table_name="review_calls_awaiting_phone")
    op.drop_table("review_calls_awaiting_phone")
