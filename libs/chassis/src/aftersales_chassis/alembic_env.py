"""The body of every service's ``migrations/env.py`` (async engine, online mode only)."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from collections.abc import Sequence

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_events.tables import events_metadata

from .tables import chassis_metadata


def import_models(package: str) -> list[str]:
    """Imports every ``models`` module of a service package (``<package>.<feature>.models``),
    so that its declarative base's metadata holds every table whichever features exist;
    returns the modules' names. A new feature's tables need no edit of ``env.py``."""
    root = importlib.import_module(package)
    names = [
        info.name
        for info in pkgutil.walk_packages(root.__path__, f"{package}.")
        if info.name.rsplit(".", 1)[-1] == "models" and ".migrations" not in info.name
    ]
    for name in names:
        importlib.import_module(name)
    return names


def _run(connection: Connection, metadata: Sequence[MetaData]) -> None:
    context.configure(connection=connection, target_metadata=list(metadata), compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str, metadata: Sequence[MetaData]) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run, metadata)
    await engine.dispose()


def run_migrations(service_metadata: MetaData, *platform_metadata: MetaData) -> None:
    """``platform_metadata``: tables of libs above the chassis (calendar, SLA clocks)."""
    url = context.config.attributes.get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the migration")
    metadata = (service_metadata, events_metadata, chassis_metadata, *platform_metadata)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run_async(url, metadata))
        return
    raise RuntimeError("run migrations from synchronous code (e.g. asyncio.to_thread(upgrade, ...))")
