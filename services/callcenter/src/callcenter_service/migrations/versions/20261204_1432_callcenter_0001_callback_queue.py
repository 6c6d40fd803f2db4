"""The callback queue (§7.2): tasks, attempts, the do-not-call register, calling-window
overrides, and the fencing-token sequence of claims.

Revision ID: callcenter_0001
Revises:
Create Date: 2026-12-04 14:32:33.225814
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "callcenter_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("callcenter",)
depends_on: str | Sequence[str] | None = "platform_0007"


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("callback_lease_tokens")))
    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("lease_token", sa.BigInteger(), nullable=False),
        sa.Column("agent", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_attempts")),
        sa.UniqueConstraint("lease_token", name=op.f("uq_callback_attempts_lease_token")),
    )
    op.create_index(op.f("ix_callback_attempts_task_id"), "callback_attempts", ["task_id"], unique=False)
    op.create_table(
        "callback_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("priority_class", sa.String(length=8), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("source_step", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("customer_name", sa.Text(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("customer_flag", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_rule", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("unanswered", sa.Integer(), nullable=False),
        sa.Column("lease_holder", sa.Text(), nullable=True),
        sa.Column("lease_token", sa.BigInteger(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by_override", sa.Uuid(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state <> 'reached' OR length(summary) > 0", name=op.f("ck_callback_tasks_reached_has_summary")
        ),
        sa.CheckConstraint(
            "state <> 'unreachable' OR unanswered >= 2", name=op.f("ck_callback_tasks_unreachable_after_two_attempts")
        ),
        sa.CheckConstraint(
            "state IN ('open', 'reached', 'unreachable', 'withdrawn')", name=op.f("ck_callback_tasks_state_known")
        ),
        sa.CheckConstraint("unanswered <= attempts", name=op.f("ck_callback_tasks_unanswered_within_attempts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_tasks")),
        sa.UniqueConstraint("source", "source_step", name="uq_callback_tasks_source_step"),
    )
    op.create_index(
        "ix_callback_tasks_order",
        "callback_tasks",
        ["order_id"],
        unique=False,
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    op.create_index(
        "ix_callback_tasks_phone_open",
        "callback_tasks",
        ["phone"],
        unique=False,
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_index(
        "ix_callback_tasks_queue",
        "callback_tasks",
        ["priority", "due_at", "requested_at", "id"],
        unique=False,
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_table(
        "calling_window_overrides",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_calling_window_overrides_starts_before_ends")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calling_window_overrides")),
    )
    op.create_index(op.f("ix_calling_window_overrides_ends_at"), "calling_window_overrides", ["ends_at"], unique=False)
    op.create_table(
        "do_not_call",
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_do_not_call")),
    )


def downgrade() -> None:
    op.drop_table("do_not_call")
    op.drop_index(op.f("ix_calling_window_overrides_ends_at"), table_name="calling_window_overrides")
    op.drop_table("calling_window_overrides")
    op.drop_index("ix_callback_tasks_queue", table_name="callback_tasks", postgresql_where=sa.text("state = 'open'"))
    op.drop_index(
        "ix_callback_tasks_phone_open", table_name="callback_tasks", postgresql_where=sa.text("state = 'open'")
    )
    op.drop_index(
        "ix_callback_tasks_order", table_name="callback_tasks", postgresql_where=sa.text("order_id IS NOT NULL")
    )
    op.drop_table("callback_tasks")
    op.drop_index(op.f("ix_callback_attempts_task_id"), table_name="callback_attempts")
    op.drop_table("callback_attempts")
    op.execute(sa.schema.DropSequence(sa.Sequence("callback_lease_tokens")))
