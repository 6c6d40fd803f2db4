"""A received return's refund can be held (inspection pending), supervisor-approved.

Revision ID: returns_0006
Revises: returns_0005
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "returns_0006"
down_revision: str | None = "returns_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("returns", sa.Column("refund_hold_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("returns", "refund_hold_reason")
