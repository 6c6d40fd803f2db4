"""B unpaid reminders (once per order and step), the supervisor's scripts (B2), SMS opt-outs.

Revision ID: callcenter_0004
Revises: callcenter_0003
Create Date: 2026-12-04 14:48:04.925100
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "callcenter_0004"
down_revision: str | None = "callcenter_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_scripts",
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_reminder_scripts")),
    )
    op.create_table(
        "sms_opt_outs",
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_sms_opt_outs")),
    )
    op.create_table(
        "unpaid_reminders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=4), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_channel", sa.String(length=8), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('scheduled', 'sent', 'cancelled', 'closed')", name=op.f("ck_unpaid_reminders_state_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unpaid_reminders")),
        sa.UniqueConstraint("order_id", "step", name="uq_unpaid_reminders_order_step"),
    )
    op.create_index(
        "ix_unpaid_reminders_due",
        "unpaid_reminders",
        ["send_after"],
        unique=False,
        postgresql_where=sa.text("state = 'scheduled'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_unpaid_reminders_due", table_name="unpaid_reminders", postgresql_where=sa.text("state = 'scheduled'")
    )
    op.drop_table("unpaid_reminders")
    op.drop_table("sms_opt_outs")
    op.drop_table("reminder_scripts")
