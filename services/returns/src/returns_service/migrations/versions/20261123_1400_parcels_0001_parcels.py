"""Warehouse parcels (M … M12): scans, parcels, the daily 09:00 log runs.

Revision ID: parcels_0001
Revises:
Depends on: returns_0002
Create Date: 2026-11-23 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "parcels_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("parcels",)
depends_on: str | Sequence[str] | None = "returns_0002"


def upgrade() -> None:
    op.create_table(
        "parcel_scans",
        sa.Column("scan_id", sa.String(128), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("courier", sa.String(64), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("sender_name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("return_number", sa.String(64), nullable=True),
        sa.Column("intact", sa.Boolean(), nullable=True),
        sa.Column("lines", postgresql.JSONB(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("scanned_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('arrived', 'opened', 'inspected', 'stocked_in')", name="ck_parcel_scans_kind_known"
        ),
        sa.PrimaryKeyConstraint("scan_id", name="pk_parcel_scans"),
    )
    op.create_index("ix_parcel_scans_tracking_scanned", "parcel_scans", ["tracking_number", "scanned_at"])
    op.create_table(
        "parcels",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("courier", sa.String(64), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("sender_name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("return_number", sa.String(64), nullable=True),
        sa.Column("first_scan_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_scan_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column("matched_by", sa.String(32), nullable=True),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("match_note", sa.Text(), nullable=True),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("intact", sa.Boolean(), nullable=True),
        sa.Column("inspected_lines", postgresql.JSONB(), nullable=True),
        sa.Column("inspected_by", sa.Text(), nullable=True),
        sa.Column("attention", sa.String(32), nullable=True),
        sa.Column("receipt_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unclaimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unclaimed_by", sa.Text(), nullable=True),
        sa.Column("unclaimed_note", sa.Text(), nullable=True),
        sa.Column("disposition", sa.String(24), nullable=True),
        sa.Column("disposition_note", sa.Text(), nullable=True),
        sa.Column("disposition_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("logged_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('matched', 'unmatched', 'unclaimed', 'claimed')", name="ck_parcels_status_known"
        ),
        sa.CheckConstraint(
            "disposition IS NULL OR disposition IN ('held', 'returned_to_sender', 'disposed')",
            name="ck_parcels_disposition_known",
        ),
        sa.CheckConstraint(
            "(return_id IS NULL) = (status IN ('unmatched', 'unclaimed'))", name="ck_parcels_linked_when_matched"
        ),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"], name="fk_parcels_return_id_returns"),
        sa.PrimaryKeyConstraint("id", name="pk_parcels"),
        sa.UniqueConstraint("tracking_number", name="uq_parcels_tracking_number"),
    )
    op.create_index(
        "uq_parcels_return_id", "parcels", ["return_id"], unique=True, postgresql_where=sa.text("return_id IS NOT NULL")
    )
    op.create_index("ix_parcels_status_first_scan", "parcels", ["status", "first_scan_at", "id"])
    op.create_index("ix_parcels_unlogged", "parcels", ["first_scan_at"], postgresql_where=sa.text("logged_on IS NULL"))
    op.create_table(
        "parcel_log_runs",
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parcels", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("unclaimed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("run_date", name="pk_parcel_log_runs"),
    )


def downgrade() -> None:
    op.drop_table("parcel_log_runs")
    op.drop_index("ix_parcels_unlogged", table_name="parcels")
    op.drop_index("ix_parcels_status_first_scan", table_name="parcels")
    op.drop_index("uq_parcels_return_id", table_name="parcels")
    op.drop_table("parcels")
    op.drop_index("ix_parcel_scans_tracking_scanned", table_name="parcel_scans")
    op.drop_table("parcel_scans")
