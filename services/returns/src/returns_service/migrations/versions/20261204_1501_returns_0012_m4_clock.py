"""The parcel identification clock is M4's (seed 000 gives M4–M6 24 h, M2–M3 none): open
clocks started under ``M2`` carry on as ``M4`` (the policy ``M2`` is gone, issue 17 item 5).
Stopped clocks keep the step they ran under.

Revision ID: returns_0012
Revises: returns_0011
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "returns_0012"
down_revision: str | None = "returns_0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE sla_clocks SET step = 'M4' WHERE step = 'M2' AND state <> 'stopped'")


def downgrade() -> None:
    op.execute("UPDATE sla_clocks SET step = 'M2' WHERE step = 'M4' AND state <> 'stopped'")
