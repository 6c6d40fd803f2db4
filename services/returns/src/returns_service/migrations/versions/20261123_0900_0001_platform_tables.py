"""Platform tables: outbox, processed events, idempotency keys.

Revision ID: returns_0001
Revises:
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

from aftersales_chassis.migration_ops import create_platform_tables_v1, drop_platform_tables_v1

revision: str = "returns_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_platform_tables_v1()


def downgrade() -> None:
    drop_platform_tables_v1()
