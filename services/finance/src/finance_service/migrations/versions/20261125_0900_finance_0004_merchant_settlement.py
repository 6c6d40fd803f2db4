"""Merchant settlement (§8): finance's read models of orders, complaints and cancelled
deposits (fed by events), and settlement documents with their lines (ADR 0008).

Revision ID: finance_0004
Revises: finance_0003
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "finance_0004"
down_revision: str | None = "finance_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.create_table(
        "settlements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Text(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("gross_minor", sa.BigInteger(), nullable=False),
        sa.Column("withheld_minor", sa.BigInteger(), nullable=False),
        sa.Column("deposits_minor", sa.BigInteger(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=True),
        _at("approved_at"),
        sa.Column("booked_by", sa.Text(), nullable=True),
        _at("booked_at"),
        sa.Column("transaction_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'approved', 'booked')", name="ck_settlements_status_known"),
        sa.ForeignKeyConstraint(
            ["transaction_id"], ["ledger_transactions.id"], name="fk_settlements_transaction_id_ledger_transactions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_settlements"),
        sa.UniqueConstraint("merchant_id", "month", name="uq_settlements_merchant_id"),
    )
    op.create_table(
        "settlement_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("settlement_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=True),
        sa.Column("deposit_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('included', 'excluded', 'withheld', 'deposit')", name="ck_settlement_lines_kind_known"
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name="fk_settlement_lines_settlement_id_settlements",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_settlement_lines"),
    )
    op.create_index("ix_settlement_lines_settlement_id", "settlement_lines", ["settlement_id"])
    op.create_table(
        "settlement_orders",
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("merchant_id", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("total_minor", sa.BigInteger(), nullable=True),
        sa.Column("paid_minor", sa.BigInteger(), nullable=True),
        _at("placed_at"),
        _at("paid_at"),
        _at("shipped_at"),
        _at("signed_at"),
        _at("cancelled_at"),
        _at("cancellation_pending_at"),
        sa.Column("order_form_missing", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("order_form_note", sa.Text(), nullable=True),
        sa.Column("settlement_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"], ["settlements.id"], name="fk_settlement_orders_settlement_id_settlements"
        ),
        sa.PrimaryKeyConstraint("order_id", name="pk_settlement_orders"),
    )
    op.create_index("ix_settlement_orders_merchant_id", "settlement_orders", ["merchant_id"])
    op.create_table(
        "settlement_complaints",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=True),
        sa.Column("merchant_id", sa.Text(), nullable=True),
        _at("opened_at"),
        _at("closed_at"),
        sa.PrimaryKeyConstraint("complaint_id", name="pk_settlement_complaints"),
    )
    op.create_index("ix_settlement_complaints_order_id", "settlement_complaints", ["order_id"])
    op.create_table(
        "settlement_deposits",
        sa.Column("deposit_id", sa.Text(), nullable=False),
        sa.Column("merchant_id", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settlement_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["settlement_id"], ["settlements.id"], name="fk_settlement_deposits_settlement_id_settlements"
        ),
        sa.PrimaryKeyConstraint("deposit_id", name="pk_settlement_deposits"),
    )
    op.create_index("ix_settlement_deposits_merchant_id", "settlement_deposits", ["merchant_id"])


def downgrade() -> None:
    op.drop_table("settlement_deposits")
    op.drop_table("settlement_complaints")
    op.drop_table("settlement_orders")
    op.drop_table("settlement_lines")
    op.drop_table("settlements")
