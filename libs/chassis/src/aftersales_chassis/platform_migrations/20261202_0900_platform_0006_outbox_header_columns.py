"""Outbox: the relay's header values in their own columns; retention by a BRIN index.

The relay sent ``source`` and ``correlationid`` as headers by reading them out of the
stored envelope with ``->>``, which parses the whole ``json`` text: twice per row, 9 of a
claim's 14 µs per row (measured on PostgreSQL 18 with real 700-byte envelopes). The
writer now stores them beside the envelope. Existing rows keep NULL there and the relay
falls back to the JSON for them, so nothing is backfilled.

The btree on ``published_at`` served only the retention purge, yet cost an entry on every
insert (its NULL) and every publish (about 5 µs each). Rows are written in ``created_at``
order, so a BRIN index on it finds the old ones in a few pages and costs nothing per row.

Revision ID: platform_0006
Revises: platform_0005
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "platform_0006"
down_revision: str | None = "platform_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("source", sa.Text(), nullable=True))
    op.add_column("outbox", sa.Column("correlation_id", sa.Text(), nullable=True))
    op.drop_index("ix_outbox_published_at", table_name="outbox")
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"], postgresql_using="brin")


def downgrade() -> None:
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])
    op.drop_column("outbox", "correlation_id")
    op.drop_column("outbox", "source")
