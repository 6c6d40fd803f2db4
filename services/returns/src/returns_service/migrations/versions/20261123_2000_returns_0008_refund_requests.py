"""Refund requests (退款申请): T1 intake and routing, T1A1 agreement, and their audit trail.

Revision ID: returns_0008
Revises: returns_0007
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "returns_0008"
down_revision: str | None = "returns_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refund_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("order_status", sa.String(16), nullable=True),
        sa.Column("cancellation_id", sa.Uuid(), nullable=True),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("routed_by", sa.Text(), nullable=True),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'cancellation', 'closed', 'negotiating', 'filed', 'withdrawn')",
            name="ck_refund_requests_state_known",
        ),
        sa.ForeignKeyConstraint(
            ["cancellation_id"],
            ["order_cancellations.id"],
            name="fk_refund_requests_cancellation_id_order_cancellations",
        ),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"], name="fk_refund_requests_return_id_returns"),
        sa.PrimaryKeyConstraint("id", name="pk_refund_requests"),
    )
    op.create_index("ix_refund_requests_state_created", "refund_requests", ["state", "created_at", "id"])
    op.create_index("ix_refund_requests_order_id", "refund_requests", ["order_id"])
    op.create_index(
        "uq_refund_requests_open_order",
        "refund_requests",
        ["order_id"],
        unique=True,
        postgresql_where=sa.text("state IN ('open', 'negotiating')"),
    )
    op.create_table(
        "refund_request_transitions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["refund_requests.id"],
            name="fk_refund_request_transitions_request_id_refund_requests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_refund_request_transitions"),
    )
    op.create_index("ix_refund_request_transitions_request_id", "refund_request_transitions", ["request_id"])


def downgrade() -> None:
    op.drop_table("refund_request_transitions")
    op.drop_table("refund_requests")
