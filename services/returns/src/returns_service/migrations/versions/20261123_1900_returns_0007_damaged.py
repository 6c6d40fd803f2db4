"""Per-line damaged quantity at receipt (T1A5); missing = returned − received.

Revision ID: returns_0007
Revises: returns_0006
Create Date: 2026-11-23 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "returns_0007"
down_revision: str | None = "returns_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("return_lines", sa.Column("damaged_quantity", sa.Integer(), server_default="0", nullable=False))
    op.create_check_constraint(
        "ck_return_lines_damaged_within_received",
        "return_lines",
        "damaged_quantity >= 0 AND damaged_quantity <= received_quantity",
    )


def downgrade() -> None:
    op.drop_constraint("ck_return_lines_damaged_within_received", "return_lines", type_="check")
    op.drop_column("return_lines", "damaged_quantity")
