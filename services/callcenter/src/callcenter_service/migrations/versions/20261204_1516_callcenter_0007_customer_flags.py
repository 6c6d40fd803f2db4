"""Customer flags (E3, from reviews): shown on the customer's callback tasks.

Revision ID: callcenter_0007
Revises: callcenter_0006
Create Date: 2026-12-04 15:16:25.788411
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "callcenter_0007"
down_revision: str | None = "callcenter_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_flags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "customer_id IS NOT NULL OR phone IS NOT NULL", name=op.f("ck_customer_flags_names_someone")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_flags")),
        sa.UniqueConstraint("source", name=op.f("uq_customer_flags_source")),
    )
    op.create_index("ix_customer_flags_customer", "customer_flags", ["customer_id"], unique=False)
    op.create_index("ix_customer_flags_phone", "customer_flags", ["phone"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_customer_flags_phone", table_name="customer_flags")
    op.drop_index("ix_customer_flags_customer", table_name="customer_flags")
    op.drop_table("customer_flags")
