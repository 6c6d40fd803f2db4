"""One audit trail: the returns' and refund requests' transition tables move into the
platform's ``workflow_transitions`` (aftersales_workflow), which every aggregate of the
service writes; the two tables are dropped. Rows keep their order (by their old ids).

Revision ID: returns_0010
Revises: returns_0009
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "returns_0010"
down_revision: str | None = "returns_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "platform_0007"

# (old table, its aggregate column, the aggregate type the workflow writes)
OLD_TRAILS = (
    ("return_transitions", "return_id", "return"),
    ("refund_request_transitions", "request_id", "refund_request"),
)
COLUMNS = "action, step, from_state, to_state, actor, reason, at"


def upgrade() -> None:
    for table, column, aggregate in OLD_TRAILS:
        op.execute(
            f"INSERT INTO workflow_transitions (aggregate_type, aggregate_id, {COLUMNS})"  # noqa: S608 - constants
            f" SELECT '{aggregate}', {column}::text, {COLUMNS} FROM {table} ORDER BY id"
        )
        op.drop_table(table)


def downgrade() -> None:
    for table, column, aggregate in OLD_TRAILS:
        parent = "returns" if aggregate == "return" else "refund_requests"
        op.create_table(
            table,
            sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
            sa.Column(column, sa.Uuid(), nullable=False),
            sa.Column("action", sa.String(32), nullable=False),
            sa.Column("step", sa.String(16), nullable=False),
            sa.Column("from_state", sa.String(24 if aggregate == "return" else 16), nullable=True),
            sa.Column("to_state", sa.String(24 if aggregate == "return" else 16), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                [column], [f"{parent}.id"], name=f"fk_{table}_{column}_{parent}", ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_{column}", table, [column])
        op.execute(
            f"INSERT INTO {table} ({column}, {COLUMNS})"  # noqa: S608 - constants
            f" SELECT aggregate_id::uuid, {COLUMNS} FROM workflow_transitions"
            f" WHERE aggregate_type = '{aggregate}' ORDER BY id"
        )
        op.execute(f"DELETE FROM workflow_transitions WHERE aggregate_type = '{aggregate}'")  # noqa: S608
