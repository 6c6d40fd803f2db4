"""The clocks and fixed-time job runs, kept in each service's own database."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

from aftersales_events.tables import NAMING_CONVENTION

sla_metadata = MetaData(naming_convention=NAMING_CONVENTION)

sla_clocks = Table(
    "sla_clocks",
    sla_metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("step", String(16), nullable=False),
    Column("aggregate_type", String(32), nullable=False),
    Column("aggregate_id", Text, nullable=False),
    Column("state", String(8), nullable=False),  # running | paused | stopped
    Column("kind", String(8), nullable=False),  # wall | working
    Column("duration", Text, nullable=False),  # e.g. "24 h", "1 wd"
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("warn_at", DateTime(timezone=True), nullable=False),
    Column("paused_at", DateTime(timezone=True)),
    Column("remaining_seconds", Float),  # while paused: what is left, in the clock's kind of time
    Column("warned_at", DateTime(timezone=True)),
    Column("breached_at", DateTime(timezone=True)),
    Column("stopped_at", DateTime(timezone=True)),
    Column("stopped_by", Text),
    Column("outcome", String(8)),  # met | breached
    Column("provisional", Boolean, nullable=False, server_default=text("false")),
    # The warning lead the clock started with (overrides.encode_duration), so a resumed clock
    # keeps its rule when an operator has changed the policy since (platform_0008).
    Column("warn_rule", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
# The scheduler only ever reads clocks that are due: partial indexes keep each tick
# proportional to the due clocks, not to all open ones.
Index(
    "ix_sla_clocks_warn_pending",
    sla_clocks.c.warn_at,
    postgresql_where=text("state = 'running' AND warned_at IS NULL AND breached_at IS NULL"),
)
Index(
    "ix_sla_clocks_breach_pending",
    sla_clocks.c.due_at,
    postgresql_where=text("state = 'running' AND breached_at IS NULL"),
)
# At most one open clock per aggregate and step.
Index(
    "uq_sla_clocks_open_step",
    sla_clocks.c.aggregate_id,
    sla_clocks.c.step,
    unique=True,
    postgresql_where=text("state <> 'stopped'"),
)
Index("ix_sla_clocks_step_state", sla_clocks.c.step, sla_clocks.c.state)
Index(
    "ix_sla_clocks_stopped_at",
    sla_clocks.c.stopped_at,
    postgresql_include=["aggregate_type", "step", "outcome"],  # platform_0010: index-only on-time ratios
    postgresql_where=text("stopped_at IS NOT NULL"),
)
# An aggregate's clocks, stopped ones too (GET /sla/clocks?aggregate_id=, reports joining their
# aggregates to clocks), and a period's breaches (platform_0010, ADR 0026).
Index(
    "ix_sla_clocks_aggregate_step",
    sla_clocks.c.aggregate_id,
    sla_clocks.c.step,
    postgresql_include=["state", "outcome", "breached_at"],
)
Index("ix_sla_clocks_breached_at", sla_clocks.c.breached_at, postgresql_where=text("breached_at IS NOT NULL"))

# Operators' changes of a step's rule: the audit trail, and the latest row is in force (overrides.py).
sla_policy_changes = Table(
    "sla_policy_changes",
    sla_metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("step", String(16), nullable=False),
    # Both null: back to the code's default.
    Column("duration", Text),  # encoded, see encode_duration
    Column("warn_before", Text),
    Column("reason", Text, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_sla_policy_changes_step_id", sla_policy_changes.c.step, sla_policy_changes.c.id)

scheduled_runs = Table(
    "scheduled_runs",
    sla_metadata,
    Column("job", Text, nullable=False),
    Column("run_key", Text, nullable=False),  # the local run time it stands for
    Column("ran_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("job", "run_key"),
)
