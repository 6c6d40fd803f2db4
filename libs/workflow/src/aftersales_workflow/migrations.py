"""What each service's ``migrations/env.py`` calls: its tables plus every platform table
(the chassis's and events' own, the calendar's, the SLA clocks', the audit trail's)."""

from __future__ import annotations

from sqlalchemy import MetaData

from aftersales_calendar.store import calendar_metadata
from aftersales_chassis.alembic_env import run_migrations
from aftersales_sla.tables import sla_metadata

from .tables import workflow_metadata


def run_service_migrations(service_metadata: MetaData) -> None:
    run_migrations(service_metadata, calendar_metadata, sla_metadata, workflow_metadata)
