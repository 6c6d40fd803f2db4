"""The inbound call log (§7.1): call events, calls, and call-loss breaches (one per day).

Revision ID: callcenter_0002
Revises: callcenter_0001
Create Date: 2026-12-04 14:38:06.580076
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "callcenter_0002"
down_revision: str | None = "callcenter_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_events")),
        sa.UniqueConstraint("call_id", "kind", name="uq_call_events_call_kind"),
    )
    op.create_table(
        "call_loss_breaches",
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("rate_percent", sa.Double(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("business_day", name=op.f("pk_call_loss_breaches")),
    )
    op.create_table(
        "inbound_calls",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("missed", sa.Boolean(), nullable=False),
        sa.Column("swept_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_task_id", sa.Uuid(), nullable=True),
        sa.Column("complaint_owner", sa.Text(), nullable=True),
        sa.Column("complaint_summary", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('offered', 'answered', 'abandoned', 'missed')", name=op.f("ck_inbound_calls_status_known")
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_inbound_calls")),
    )
    op.create_index("ix_inbound_calls_day", "inbound_calls", ["business_day"], unique=False)
    op.create_index(
        "ix_inbound_calls_missed",
        "inbound_calls",
        ["started_at"],
        unique=False,
        postgresql_where=sa.text("missed AND swept_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_inbound_calls_missed", table_name="inbound_calls", postgresql_where=sa.text("missed AND swept_at IS NULL")
    )
    op.drop_index("ix_inbound_calls_day", table_name="inbound_calls")
    op.drop_table("inbound_calls")
    op.drop_table("call_loss_breaches")
    op.drop_table("call_events")
