"""Reports and the red/black list (issue 19, §4): a complaint's category and brand (the monthly
analysis' dimensions, optional), closed_at indexed for the daily statistics, and the red/black
list's versions and entries, immutable once decided (triggers: constraint
``red_black_list_decided``).

Revision ID: tickets_0005
Revises: tickets_0004
Create Date: 2026-12-04 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "tickets_0005"
down_revision: str | None = "tickets_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORT_COLUMNS = ("state", "channel", "priority", "major", "merchant_id", "category", "brand", "merchant_replied_at")

# A decided version and its entries never change: UPDATE or DELETE of a decided list, and any
# write to a decided list's entries, is refused (check_violation naming the rule). A version is
# decided by the one UPDATE that sets its state (nominated → decided); corrections are new rows.
IMMUTABLE = """
CREATE FUNCTION red_black_list_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target uuid;
    decided boolean;
BEGIN
    IF TG_TABLE_NAME = 'red_black_lists' THEN
        target := OLD.id;
        decided := OLD.state = 'decided';
    ELSE
        IF TG_OP = 'INSERT' THEN
            target := NEW.list_id;
        ELSE
            target := OLD.list_id;
        END IF;
        SELECT state = 'decided' INTO decided FROM red_black_lists WHERE id = target;
        IF TG_OP = 'UPDATE' THEN
            IF NEW.list_id <> OLD.list_id THEN
                decided := true;  -- an entry never moves between versions
            END IF;
        END IF;
    END IF;
    IF decided THEN
        RAISE EXCEPTION 'red/black list % is decided and immutable (% on %)', target, TG_OP, TG_TABLE_NAME
            USING ERRCODE = '23514', CONSTRAINT = 'red_black_list_decided';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$
"""
TRIGGERS = (
    "CREATE TRIGGER red_black_lists_immutable BEFORE UPDATE OR DELETE ON red_black_lists"
    " FOR EACH ROW EXECUTE FUNCTION red_black_list_immutable()",
    "CREATE TRIGGER red_black_entries_immutable BEFORE INSERT OR UPDATE OR DELETE ON red_black_entries"
    " FOR EACH ROW EXECUTE FUNCTION red_black_list_immutable()",
)


def upgrade() -> None:
    op.add_column("complaints", sa.Column("category", sa.Text(), nullable=True))
    op.add_column("complaints", sa.Column("brand", sa.Text(), nullable=True))
    # The list's keyset index, now with the columns the reports aggregate: index-only range scans.
    op.drop_index("ix_complaints_received", table_name="complaints")
    op.create_index(
        "ix_complaints_received",
        "complaints",
        ["received_at", "id"],
        postgresql_include=list(REPORT_COLUMNS),
    )
    op.create_index(
        "ix_complaints_closed_at", "complaints", ["closed_at"], postgresql_where=sa.text("closed_at IS NOT NULL")
    )
    op.create_index(
        "ix_complaints_unresolved",
        "complaints",
        ["received_at", "id"],
        postgresql_where=sa.text("state NOT IN ('closed', 'merged')"),
    )
    op.create_table(
        "red_black_lists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rules", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("supersedes", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("nominated_by", sa.Text(), nullable=False),
        sa.Column("nominated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["supersedes"], ["red_black_lists.id"], name=op.f("fk_red_black_lists_supersedes_red_black_lists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_black_lists")),
        sa.UniqueConstraint("month", "version", name="uq_red_black_lists_month_version"),
    )
    op.create_index(
        "uq_red_black_lists_month_nominated",
        "red_black_lists",
        ["month"],
        unique=True,
        postgresql_where=sa.text("state = 'nominated'"),
    )
    op.create_table(
        "red_black_entries",
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("nominated", sa.String(length=8), nullable=True),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("standing", sa.String(length=8), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("public_complaints", sa.Integer(), nullable=False),
        sa.Column("merchant_breaches", sa.Integer(), nullable=False),
        sa.Column("on_time_percent", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["list_id"], ["red_black_lists.id"], name=op.f("fk_red_black_entries_list_id_red_black_lists")
        ),
        sa.PrimaryKeyConstraint("list_id", "merchant_id", name=op.f("pk_red_black_entries")),
    )
    op.create_index("ix_red_black_entries_merchant", "red_black_entries", ["merchant_id"])
    op.execute(IMMUTABLE)  # one statement each: the driver prepares what it runs
    for trigger in TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    op.execute("DROP TRIGGER red_black_entries_immutable ON red_black_entries")
    op.execute("DROP TRIGGER red_black_lists_immutable ON red_black_lists")
    op.execute("DROP FUNCTION red_black_list_immutable()")
    op.drop_index("ix_red_black_entries_merchant", table_name="red_black_entries")
    op.drop_table("red_black_entries")
    op.drop_index("uq_red_black_lists_month_nominated", table_name="red_black_lists")
    op.drop_table("red_black_lists")
    op.drop_index("ix_complaints_unresolved", table_name="complaints")
    op.drop_index("ix_complaints_closed_at", table_name="complaints")
    op.drop_index("ix_complaints_received", table_name="complaints")
    op.create_index("ix_complaints_received", "complaints", ["received_at", "id"])
    op.drop_column("complaints", "brand")
    op.drop_column("complaints", "category")
