"""Room for the longer state names (exchange_requested, exchange_shipped).

Revision ID: returns_0004
Revises: returns_0003
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "returns_0004"
down_revision: str | None = "returns_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("returns", "state"), ("return_transitions", "from_state"), ("return_transitions", "to_state"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.String(24))


def downgrade() -> None:
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.String(16))
