"""The one audit-trail table, kept in each service's own database."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, MetaData, String, Table, Text

from aftersales_events.tables import NAMING_CONVENTION

workflow_metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Every aggregate of a service writes here: one shape, one history query. No foreign key
# (the aggregate types live in the service's own tables); the index serves the history.
workflow_transitions = Table(
    "workflow_transitions",
    workflow_metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("aggregate_type", String(32), nullable=False),
    Column("aggregate_id", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("step", String(16), nullable=False),
    Column("from_state", String(32)),
    Column("to_state", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text),
    Column("correlation_id", Text),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_workflow_transitions_aggregate", "aggregate_type", "aggregate_id", "id"),
)
