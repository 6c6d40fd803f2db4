"""Returns, their lines and the transition audit trail (T1A2 … T2A).

Revision ID: returns_0001
Revises:
Depends on: platform_0001
Create Date: 2026-11-23 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "returns_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("returns",)
depends_on: str | Sequence[str] | None = "platform_0001"


def upgrade() -> None:
    op.create_table(
        "returns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("requested_refund_minor", sa.BigInteger(), nullable=False),
        sa.Column("freight_minor", sa.BigInteger(), nullable=False),
        sa.Column("freight_payer", sa.String(8), nullable=False),
        sa.Column("refund_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("refund_method", sa.String(16), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("requested_refund_minor >= 0", name="ck_returns_requested_refund_not_negative"),
        sa.CheckConstraint("freight_minor >= 0", name="ck_returns_freight_not_negative"),
        sa.CheckConstraint("freight_payer IN ('shop', 'customer')", name="ck_returns_freight_payer_known"),
        sa.CheckConstraint(
            "state IN ('requested', 'approved', 'rejected', 'received', 'refunded')", name="ck_returns_state_known"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_returns"),
    )
    op.create_index("ix_returns_state_created", "returns", ["state", "created_at", "id"])
    op.create_index("ix_returns_order_id", "returns", ["order_id"])
    op.create_table(
        "return_lines",
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("received_quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_return_lines_quantity_positive"),
        sa.CheckConstraint("unit_price_minor >= 0", name="ck_return_lines_price_not_negative"),
        sa.CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= quantity", name="ck_return_lines_received_within_quantity"
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name="fk_return_lines_return_id_returns", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("return_id", "line_no", name="pk_return_lines"),
    )
    op.create_table(
        "return_transitions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name="fk_return_transitions_return_id_returns", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_return_transitions"),
    )
    op.create_index("ix_return_transitions_return_id", "return_transitions", ["return_id"])


def downgrade() -> None:
    op.drop_table("return_transitions")
    op.drop_table("return_lines")
    op.drop_index("ix_returns_order_id", table_name="returns")
    op.drop_index("ix_returns_state_created", table_name="returns")
    op.drop_table("returns")
