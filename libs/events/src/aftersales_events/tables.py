"""Tables the event machinery needs in every service's own database.

They live in their own MetaData; each service's Alembic environment targets it beside
the service's models, and the chassis's "platform" migration branch creates them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSON, UUID

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

events_metadata = MetaData(naming_convention=NAMING_CONVENTION)

outbox = Table(
    "outbox",
    events_metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("message_key", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    # json, not jsonb: the text as rendered, published byte for byte (platform_0005).
    Column("envelope", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    # Two of the envelope's attributes the relay sends as headers, written beside it so the
    # relay does not parse the JSON for them (platform_0006). NULL on rows written before.
    Column("source", Text),
    Column("correlation_id", Text),
)
# The relay only ever scans unpublished rows; a partial index keeps that scan O(backlog).
Index("ix_outbox_unpublished", outbox.c.id, postgresql_where=outbox.c.published_at.is_(None))
# Retention purges by age. Rows arrive in created_at order, so a BRIN index (a few pages,
# nothing to maintain per row) finds old ones; a btree cost every insert and publish an entry.
Index("ix_outbox_created_at", outbox.c.created_at, postgresql_using="brin")

processed_events = Table(
    "processed_events",
    events_metadata,
    Column("consumer", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("event_type", Text, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id"),
)

# Where each relay last wrote its marker record: if the broker no longer holds that record,
# it lost its log (a memory-only broker restarted, a cluster lost data) and the retained
# outbox rows are published again.
relay_markers = Table(
    "relay_markers",
    events_metadata,
    Column("service", Text, primary_key=True),
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("epoch", UUID(as_uuid=True), nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
