"""Deposit cancellations (§7.3).

Revision ID: callcenter_0005
Revises: callcenter_0004
Create Date: 2026-12-04 14:52:26.693377
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "callcenter_0005"
down_revision: str | None = "callcenter_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deposit_cancellations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deposit_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cancel_on", sa.Date(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("merchant_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("booked_by", sa.Text(), nullable=False),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state <> 'refused' OR length(outcome_reason) > 0", name=op.f("ck_deposit_cancellations_refused_has_reason")
        ),
        sa.CheckConstraint(
            "state IN ('awaiting_merchant', 'cancelled', 'refused')", name=op.f("ck_deposit_cancellations_state_known")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_deposit_cancellations_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_cancellations")),
        sa.UniqueConstraint("deposit_id", name=op.f("uq_deposit_cancellations_deposit_id")),
    )
    op.create_index("ix_deposit_cancellations_booked_on", "deposit_cancellations", ["booked_on"], unique=False)
    op.create_index(
        "ix_deposit_cancellations_merchant_open",
        "deposit_cancellations",
        ["merchant_id"],
        unique=False,
        postgresql_where=sa.text("state = 'awaiting_merchant'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_deposit_cancellations_merchant_open",
        table_name="deposit_cancellations",
        postgresql_where=sa.text("state = 'awaiting_merchant'"),
    )
    op.drop_index("ix_deposit_cancellations_booked_on", table_name="deposit_cancellations")
    op.drop_table("deposit_cancellations")
