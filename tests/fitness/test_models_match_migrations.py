"""Each service's models match its migrations: a database migrated from scratch is the one the
code describes, so neither a model nor a migration can drift without a test saying which.

Two comparisons, per service, over its full metadata: what its ``migrations/env.py`` hands
Alembic (the service's models plus the platform tables the libraries own: outbox, processed
events, idempotency keys, SLA clocks, calendar overrides...).

1. Alembic's autogenerate comparison (types and server defaults included) between the
   migrated database and the metadata: tables, columns, nullability, unique and foreign
   keys. It must find nothing, i.e. ``alembic revision --autogenerate`` would be empty.
2. What autogenerate does not look at: CHECK constraints, the options of every constraint,
   and the exact definition of every index (partial ``WHERE`` clauses, expressions). The
   same metadata is created with ``create_all`` in a second, empty database, and PostgreSQL
   itself renders each constraint and index of both (``pg_get_constraintdef``,
   ``pg_get_indexdef``), so both sides are normalised the same way.

What only migrations hold (triggers, functions) is outside both: no model describes them.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import re
from collections.abc import Callable
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis.migrate import alembic_config
from aftersales_chassis.settings import asyncpg_url

from .source import services

SERVICES = [service.name for service in services()]

# Each constraint and index of the tables in question, as PostgreSQL renders it.
_DEFINITIONS = text(
    """
    SELECT 'constraint' AS kind, c.conrelid::regclass::text AS "table", c.conname AS name,
           pg_get_constraintdef(c.oid) AS definition
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = 'public' AND c.conrelid <> 0 AND c.contype <> 't'  -- constraint triggers: migrations only
    UNION ALL
    SELECT 'index', tablename, indexname, regexp_replace(indexdef, ' ON public\\.', ' ON ')
      FROM pg_indexes WHERE schemaname = 'public'
    """
)


def _import_everything(package: str) -> None:
    """Every module of the service but its migrations, so that each model is on the metadata
    whichever tests ran before (the env imports what it needs; the process may hold more)."""
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)


def _autogenerate_diff(service: str, url: str) -> tuple[list[Any], list[MetaData]]:
    """Runs the service's own ``migrations/env.py`` against ``url`` (already at its heads); in
    place of migrating, compares the database with the metadata the env configured."""
    config = alembic_config(service, url)
    script = ScriptDirectory.from_config(config)
    seen: dict[str, Any] = {}

    def compare(_heads: object, context: MigrationContext) -> list[Any]:
        context.opts["compare_server_default"] = True
        target = context.opts["target_metadata"]
        seen["metadata"] = list(target) if isinstance(target, list | tuple) else [target]
        seen["diff"] = [d for d in compare_metadata(context, target) if not _is_alembic_version(d) and not _is_index(d)]
        return []  # nothing to migrate: only look

    with EnvironmentContext(config, script, fn=compare):
        script.run_env()
    return seen["diff"], seen["metadata"]


def _is_index(diff: object) -> bool:
    """Indexes are compared by their definitions (below): Alembic reflects an expression or
    collated index as a plain column one and reports a difference where there is none."""
    return isinstance(diff, tuple) and diff[0] in {"add_index", "remove_index"}


def _is_alembic_version(diff: object) -> bool:
    return isinstance(diff, tuple) and len(diff) > 1 and getattr(diff[1], "name", None) == "alembic_version"


async def _definitions(url: str, tables: set[str]) -> dict[tuple[str, str, str], str]:
    engine = create_async_engine(asyncpg_url(url))
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(_DEFINITIONS)).all()
    finally:
        await engine.dispose()
    return {(row.kind, row.table, row.name): row.definition for row in rows if row.table in tables}


async def _created_from(metadata: list[MetaData], url: str) -> None:
    engine = create_async_engine(asyncpg_url(url))
    try:
        async with engine.begin() as connection:
            for each in metadata:
                await connection.run_sync(each.create_all)
    finally:
        await engine.dispose()


_CAST = re.compile(r"::(?:[a-z_]+(?: [a-z_]+)*)(?:\[\])?")
_ATOM_IN_PARENS = re.compile(r"\(\s*('[^']*'|[\w.\"]+)\s*\)")
_DOUBLE_PARENS = re.compile(r"\(\(([^()]*)\)\)")


def normalised(definition: str) -> str:
    """Without casts and the parentheses they leave around single values: how PostgreSQL
    renders a constraint depends on its history (a column's type changed after a CHECK on it
    was made re-renders the CHECK with other casts), not only on what it checks."""
    text, previous = _CAST.sub("", definition), None
    while text != previous:
        previous, text = text, _DOUBLE_PARENS.sub(r"(\1)", _ATOM_IN_PARENS.sub(r"\1", text))
    return text


def definition_differences(
    migrated: dict[tuple[str, str, str], str], modelled: dict[tuple[str, str, str], str]
) -> list[str]:
    found = []
    for key in sorted(migrated.keys() | modelled.keys()):
        kind, table, name = key
        if key not in modelled:
            found.append(f"{kind} {table}.{name}: only in the migrations: {migrated[key]}")
        elif key not in migrated:
            found.append(f"{kind} {table}.{name}: only in the models: {modelled[key]}")
        elif normalised(migrated[key]) != normalised(modelled[key]):
            found.append(f"{kind} {table}.{name}:\n  migrations: {migrated[key]}\n  models:     {modelled[key]}")
    return found


@pytest.mark.parametrize("service", SERVICES)
async def test_models_match_migrations(service: str, service_database_url: Callable[..., str]) -> None:
    # The session's database of the service: created empty and migrated to its heads by the
    # fixture (once per session, so the other tests that use it pay for it only once). Rows
    # the tests write there do not change its schema, and nothing migrates it down.
    migrated = service_database_url(service)
    _import_everything(f"{service}_service")

    # The env refuses a thread with a running loop: it runs its own.
    diff, metadata = await asyncio.to_thread(_autogenerate_diff, service, migrated)
    assert diff == [], f"{service}: models and migrations differ (fix the model, or add a migration):\n" + "\n".join(
        map(repr, diff)
    )

    modelled = service_database_url(service, suffix="fitness_models", migrated=False)
    await _created_from(metadata, modelled)
    tables = {name for each in metadata for name in each.tables}
    differences = definition_differences(await _definitions(migrated, tables), await _definitions(modelled, tables))
    assert differences == [], "\n".join(differences)
