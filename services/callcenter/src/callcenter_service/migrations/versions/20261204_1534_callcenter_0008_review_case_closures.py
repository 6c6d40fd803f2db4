"""Review cases that ended (W5, not amended, E3 flagged): a W1 call requested after its case's
closure was delivered opens nothing.

Revision ID: callcenter_0008
Revises: callcenter_0007
Create Date: 2026-12-04 15:34:02.864428
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "callcenter_0008"
down_revision: str | None = "callcenter_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_case_closures",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_review_case_closures")),
    )


def downgrade() -> None:
    op.drop_table("review_case_closures")
