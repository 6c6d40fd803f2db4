"""Clocks found by their aggregate, and breaches by when (issue 19, ADR 0026): an aggregate's
clocks, stopped ones included (``GET /sla/clocks?aggregate_id=``, tickets' reports joining
complaints to their clocks), were a scan of the whole table; so were the breaches of a period.

``ix_sla_clocks_aggregate_step`` holds every clock (the open-only unique index stays: it is the
one-open-clock rule); ``ix_sla_clocks_breached_at`` only breached ones (a clock enters it when it
breaches, so starting clocks pays nothing for it).

Revision ID: platform_0010
Revises: platform_0009
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "platform_0010"
down_revision: str | None = "platform_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Clocks stopped in a period, by step and outcome, from the index alone (on-time % by step:
    # the scheduler's 30-day ratio, the reports' periods).
    op.drop_index("ix_sla_clocks_stopped_at", table_name="sla_clocks")
    op.create_index(
        "ix_sla_clocks_stopped_at",
        "sla_clocks",
        ["stopped_at"],
        postgresql_include=["aggregate_type", "step", "outcome"],
        postgresql_where=sa.text("stopped_at IS NOT NULL"),
    )
    # The outcome columns included: a report reads a clock's outcome from the index alone.
    op.create_index(
        "ix_sla_clocks_aggregate_step",
        "sla_clocks",
        ["aggregate_id", "step"],
        postgresql_include=["state", "outcome", "breached_at"],
    )
    op.create_index(
        "ix_sla_clocks_breached_at",
        "sla_clocks",
        ["breached_at"],
        postgresql_where=sa.text("breached_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_sla_clocks_stopped_at", table_name="sla_clocks")
    op.create_index(
        "ix_sla_clocks_stopped_at", "sla_clocks", ["stopped_at"], postgresql_where=sa.text("stopped_at IS NOT NULL")
    )
    op.drop_index("ix_sla_clocks_breached_at", table_name="sla_clocks")
    op.drop_index("ix_sla_clocks_aggregate_step", table_name="sla_clocks")
