"""Tables the chassis keeps in every service's database."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, PrimaryKeyConstraint, Table, Text, func

from aftersales_events.tables import NAMING_CONVENTION

chassis_metadata = MetaData(naming_convention=NAMING_CONVENTION)

idempotency_keys = Table(
    "idempotency_keys",
    chassis_metadata,
    Column("principal", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("media_type", Text),
    Column("location", Text),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("principal", "key"),
)
