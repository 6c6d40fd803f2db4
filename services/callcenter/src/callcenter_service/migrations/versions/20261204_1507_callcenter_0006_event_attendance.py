"""Event signups (§7.2): the event's day, attendance confirmed on the call, expected attendees.

Revision ID: callcenter_0006
Revises: callcenter_0005
Create Date: 2026-12-04 15:07:44.561442
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "callcenter_0006"
down_revision: str | None = "callcenter_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("callback_tasks", sa.Column("event_date", sa.Date(), nullable=True))
    op.add_column("callback_tasks", sa.Column("attending", sa.Boolean(), nullable=True))
    op.add_column("callback_tasks", sa.Column("party_size", sa.SmallInteger(), nullable=True))
    op.create_check_constraint(
        op.f("ck_callback_tasks_party_size_sane"), "callback_tasks", "party_size IS NULL OR party_size BETWEEN 1 AND 20"
    )
    op.create_index(
        "ix_callback_tasks_event",
        "callback_tasks",
        ["event_date"],
        unique=False,
        postgresql_where=sa.text("kind = 'event_signup'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_callback_tasks_event", table_name="callback_tasks", postgresql_where=sa.text("kind = 'event_signup'")
    )
    op.drop_constraint(op.f("ck_callback_tasks_party_size_sane"), "callback_tasks", type_="check")
    op.drop_column("callback_tasks", "party_size")
    op.drop_column("callback_tasks", "attending")
    op.drop_column("callback_tasks", "event_date")
