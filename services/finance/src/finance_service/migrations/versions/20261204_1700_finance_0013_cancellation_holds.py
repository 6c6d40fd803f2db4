"""Pending cancellations hold their orders out of settlement (issue 17 item 4): a row per
cancellation, from returns' OrderCancellationRequested / OrderInterceptRequested until
OrderCancellationConfirmed, OrderInterceptSucceeded or OrderInterceptFailed resolves it.

Revision ID: finance_0013
Revises: finance_0012
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "finance_0013"
down_revision: str | None = "finance_0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "settlement_cancellation_holds",
        sa.Column("cancellation_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.CheckConstraint("outcome IN ('cancelled', 'failed')", name="ck_settlement_cancellation_holds_outcome_known"),
        sa.PrimaryKeyConstraint("cancellation_id", name="pk_settlement_cancellation_holds"),
    )
    op.create_index("ix_settlement_cancellation_holds_order_id", "settlement_cancellation_holds", ["order_id"])


def downgrade() -> None:
    op.drop_table("settlement_cancellation_holds")
