"""After-sale cases (PROCESSES.md §3): cases, their evidence, abnormal refunds (C3B1/C3B2) and
the per-order cap row the C3B discounts are checked on.

Revision ID: tickets_0002
Revises: tickets_0001
Create Date: 2026-12-04 14:37:21.147626
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tickets_0002"
down_revision: str | None = "tickets_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_order_caps",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("exchange_cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("granted_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("exchange_cost_minor >= 0", name=op.f("ck_case_order_caps_exchange_cost_not_negative")),
        sa.CheckConstraint(
            "granted_minor >= 0 AND granted_minor <= exchange_cost_minor",
            name=op.f("ck_case_order_caps_granted_within_cap"),
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_case_order_caps")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("liability", sa.String(length=16), nullable=True),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.Column("courier", sa.String(length=64), nullable=True),
        sa.Column("courier_owes_minor", sa.BigInteger(), nullable=True),
        sa.Column("quality_problem", sa.Boolean(), nullable=True),
        sa.Column("oa_form_no", sa.String(length=64), nullable=True),
        sa.Column("freight_minor", sa.BigInteger(), nullable=True),
        sa.Column("oa_requested_by", sa.Text(), nullable=True),
        sa.Column("oa_approved_by", sa.Text(), nullable=True),
        sa.Column("qc_result", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('C', 'K', 'P')", name=op.f("ck_cases_kind_known")),
        sa.CheckConstraint(
            "liability IS NULL OR liability IN ('shop', 'warehouse', 'courier', 'merchant')",
            name=op.f("ck_cases_liability_known"),
        ),
        sa.CheckConstraint(
            "state IN ('evidence', 'investigating', 'oa_pending', 'inspecting', 'inspected', 'explaining', 'explained', 'negotiating', 'discount_agreed', 'refund_requested', 'refunded', 'return_requested', 'closed')",
            name=op.f("ck_cases_state_known"),
        ),
        sa.CheckConstraint(
            "courier_owes_minor IS NULL OR courier_owes_minor >= 0", name=op.f("ck_cases_courier_owes_not_negative")
        ),
        sa.CheckConstraint("freight_minor IS NULL OR freight_minor >= 0", name=op.f("ck_cases_freight_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index("ix_cases_customer_created", "cases", ["customer_id", "created_at", "id"], unique=False)
    op.create_index("ix_cases_order_id", "cases", ["order_id"], unique=False)
    op.create_index("ix_cases_state_created", "cases", ["state", "created_at", "id"], unique=False)
    op.create_index(
        "uq_cases_open_order_kind",
        "cases",
        ["order_id", "kind"],
        unique=True,
        postgresql_where=sa.text("state NOT IN ('refunded', 'return_requested', 'closed')"),
    )
    op.create_table(
        "case_abnormal_refunds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("limit_in_force_minor", sa.BigInteger(), nullable=True),
        sa.Column("granted_before_minor", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "state IN ('requested', 'approved', 'rejected')", name=op.f("ck_case_abnormal_refunds_state_known")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_case_abnormal_refunds_amount_positive")),
        sa.CheckConstraint(
            "decided_by IS NULL OR decided_by <> requested_by",
            name=op.f("ck_case_abnormal_refunds_decider_not_requester"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_abnormal_refunds_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_abnormal_refunds")),
    )
    op.create_index("ix_case_abnormal_refunds_case", "case_abnormal_refunds", ["case_id", "requested_at"], unique=False)
    op.create_index("ix_case_abnormal_refunds_order", "case_abnormal_refunds", ["order_id"], unique=False)
    op.create_table(
        "case_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("step", sa.String(length=8), nullable=False),
        sa.Column("uploaded_by", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_case_attachments_size_positive")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_attachments_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachments")),
    )
    op.create_index("ix_case_attachments_case", "case_attachments", ["case_id", "uploaded_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_attachments_case", table_name="case_attachments")
    op.drop_table("case_attachments")
    op.drop_index("ix_case_abnormal_refunds_order", table_name="case_abnormal_refunds")
    op.drop_index("ix_case_abnormal_refunds_case", table_name="case_abnormal_refunds")
    op.drop_table("case_abnormal_refunds")
    op.drop_index(
        "uq_cases_open_order_kind",
        table_name="cases",
        postgresql_where=sa.text("state NOT IN ('refunded', 'return_requested', 'closed')"),
    )
    op.drop_index("ix_cases_state_created", table_name="cases")
    op.drop_index("ix_cases_order_id", table_name="cases")
    op.drop_index("ix_cases_customer_created", table_name="cases")
    op.drop_table("cases")
    op.drop_table("case_order_caps")
