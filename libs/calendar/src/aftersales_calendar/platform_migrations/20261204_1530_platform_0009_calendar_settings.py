"""One calendar for the shop (issue 17 item 8): ``calendar_settings`` holds the zone, the
weekly hours and the version of the whole calendar this database holds (one row; none
means the code's defaults, version 0).

Revision ID: platform_0009
Revises: platform_0008
Create Date: 2026-12-04 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "platform_0009"
down_revision: str | None = "platform_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_settings",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("zone", sa.Text(), nullable=False),
        sa.Column("weekly_hours", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_calendar_settings_one_row"),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_settings"),
    )


def downgrade() -> None:
    op.drop_table("calendar_settings")
