"""Outbox envelopes stored as ``json`` (the text as written), not ``jsonb``.

Nothing queries inside a stored envelope but the relay, for two headers; yet ``jsonb``
parsed every envelope into its binary form on insert (about 10 µs of server CPU per row,
a fifth of an outbox insert, measured with 627-byte envelopes) and rendered it back to
text on publish, with its own spacing. ``json`` checks the syntax and keeps the text: the
broker now carries exactly the bytes ``encode_events`` rendered.

Revision ID: platform_0005
Revises: platform_0004
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "platform_0005"
down_revision: str | None = "platform_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE outbox ALTER COLUMN envelope TYPE json USING envelope::json")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox ALTER COLUMN envelope TYPE jsonb USING envelope::jsonb")
