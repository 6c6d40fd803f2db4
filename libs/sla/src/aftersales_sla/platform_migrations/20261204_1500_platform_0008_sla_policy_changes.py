"""SLA policies changed at run time (issue 17 item 7): ``sla_policy_changes``, each change
of a step's rule with who, when and why (the latest row per step is in force), and
``sla_clocks.warn_rule``, the warning lead a clock started with.

Revision ID: platform_0008
Revises: platform_0007
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "platform_0008"
down_revision: str | None = "platform_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sla_clocks", sa.Column("warn_rule", sa.Text(), nullable=True))
    op.create_table(
        "sla_policy_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("duration", sa.Text(), nullable=True),
        sa.Column("warn_before", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policy_changes")),
    )
    op.create_index("ix_sla_policy_changes_step_id", "sla_policy_changes", ["step", "id"])


def downgrade() -> None:
    op.drop_index("ix_sla_policy_changes_step_id", table_name="sla_policy_changes")
    op.drop_table("sla_policy_changes")
    op.drop_column("sla_clocks", "warn_rule")
