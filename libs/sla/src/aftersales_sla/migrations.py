"""What each service's ``migrations/env.py`` calls: its tables plus every platform table."""

from __future__ import annotations

from sqlalchemy import MetaData

from aftersales_calendar.store import calendar_metadata
from aftersales_chassis.alembic_env import run_migrations

from .tables import sla_metadata


def run_service_migrations(service_metadata: MetaData) -> None:
    run_migrations(service_metadata, calendar_metadata, sla_metadata)
