"""SLA clocks and fixed-time job runs.

Revision ID: platform_0004
Revises: platform_0003
Create Date: 2026-11-23 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "platform_0004"
down_revision: str | None = "platform_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_clocks",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("aggregate_type", sa.String(32), nullable=False),
        sa.Column("aggregate_id", sa.Text(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("duration", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remaining_seconds", sa.Float(), nullable=True),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_by", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(8), nullable=True),
        sa.Column("provisional", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sla_clocks"),
    )
    op.create_index(
        "ix_sla_clocks_warn_pending",
        "sla_clocks",
        ["warn_at"],
        postgresql_where=sa.text("state = 'running' AND warned_at IS NULL AND breached_at IS NULL"),
    )
    op.create_index(
        "ix_sla_clocks_breach_pending",
        "sla_clocks",
        ["due_at"],
        postgresql_where=sa.text("state = 'running' AND breached_at IS NULL"),
    )
    op.create_index(
        "uq_sla_clocks_open_step",
        "sla_clocks",
        ["aggregate_id", "step"],
        unique=True,
        postgresql_where=sa.text("state <> 'stopped'"),
    )
    op.create_index("ix_sla_clocks_step_state", "sla_clocks", ["step", "state"])
    op.create_index(
        "ix_sla_clocks_stopped_at", "sla_clocks", ["stopped_at"], postgresql_where=sa.text("stopped_at IS NOT NULL")
    )
    op.create_table(
        "scheduled_runs",
        sa.Column("job", sa.Text(), nullable=False),
        sa.Column("run_key", sa.Text(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("job", "run_key", name="pk_scheduled_runs"),
    )


def downgrade() -> None:
    op.drop_table("scheduled_runs")
    op.drop_table("sla_clocks")
