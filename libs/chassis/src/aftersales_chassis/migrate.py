"""Each service's Alembic migrations, run programmatically.

    python -m aftersales_chassis.migrate returns [upgrade|downgrade|current|check|revision -m MSG] --url postgresql://...

``check`` exits 0 when the database is at every head of the installed migrations, 1 when not
(``--wait SECONDS``: asks again every 2 s until then); a Kubernetes pod's init container runs
it so that a new version serves only once its migration Job has run (ADR 0018).

Without ``--url`` the service's own setting (e.g. ``RETURNS_DATABASE_URL``) is used.
Migration files are named by date so their order reads from a directory listing.
Every service database carries two branches: ``platform`` (the tables the libraries keep in
every service's database) and the service's own, labelled with its name, whose first
revision depends on the platform branch. Each library ships the platform revisions of its
own tables in its ``platform_migrations/`` folder (the chassis: the outbox, processed events,
idempotency keys; the calendar: its overrides; the SLA lib: clocks and job runs; the
workflow lib: the audit trail) and names that folder under the entry point group
``aftersales.platform_migrations``; the revisions form the one ``platform`` branch.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import os
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_events.services import SERVICE_NAMES

from .settings import asyncpg_url

PLATFORM_VERSIONS = Path(__file__).parent / "platform_migrations"
MIGRATIONS_GROUP = "aftersales.platform_migrations"


def platform_version_locations() -> list[Path]:
    """The chassis's platform revisions and every installed library's, in a stable order."""
    found = {PLATFORM_VERSIONS}
    for entry in entry_points(group=MIGRATIONS_GROUP):
        spec = importlib.util.find_spec(entry.value)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"{entry.name}: the package {entry.value} named for platform migrations is missing")
        found.add(Path(spec.origin).parent / "platform_migrations")
    return sorted(found)


def alembic_config(service: str, url: str) -> Config:
    if service not in SERVICE_NAMES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICE_NAMES)}")
    package = importlib.import_module(f"{service}_service")
    assert package.__file__ is not None
    migrations = Path(package.__file__).parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(migrations))
    locations = [migrations / "versions", *platform_version_locations()]
    config.set_main_option("version_locations", " ".join(str(location) for location in locations))
    config.set_main_option("path_separator", "space")
    config.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s"
    )
    config.attributes["url"] = asyncpg_url(url)
    return config


def upgrade(service: str, url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(service, url), revision)


async def applied_heads(url: str) -> set[str]:
    """The revisions the database is at (empty when never migrated)."""
    engine = create_async_engine(asyncpg_url(url))
    try:
        async with engine.connect() as connection:

            def read(sync: Connection) -> set[str]:
                return set(MigrationContext.configure(sync).get_current_heads())

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


def at_heads(service: str, url: str) -> bool:
    """Whether the database carries every head of the installed migrations, and no other."""
    expected = set(ScriptDirectory.from_config(alembic_config(service, url)).get_heads())
    try:
        return asyncio.run(applied_heads(url)) == expected
    except OSError:
        return False


def wait_for_heads(service: str, url: str, wait: float, interval: float = 2.0) -> bool:
    deadline = time.monotonic() + wait
    while not at_heads(service, url):
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def new_revision(config: Config, service: str, message: str | None, *, autogenerate: bool) -> None:
    """Adds a revision on the service's branch, starting the branch if it has none yet."""
    scripts = ScriptDirectory.from_config(config)
    if any(service in (script.branch_labels or ()) for script in scripts.walk_revisions()):
        command.revision(config, message=message, autogenerate=autogenerate, head=f"{service}@head")
        return
    platform_head = scripts.get_revision("platform@head")
    assert platform_head is not None
    command.revision(
        config,
        message=message,
        autogenerate=autogenerate,
        head="base",
        branch_label=service,
        depends_on=platform_head.revision,
        version_path=str(Path(config.get_main_option("script_location") or "") / "versions"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales_chassis.migrate")
    parser.add_argument("service", choices=SERVICE_NAMES)
    parser.add_argument("--url", default=None, help="default: <SERVICE>_DATABASE_URL")
    parser.add_argument(
        "action", nargs="?", default="upgrade", choices=["upgrade", "downgrade", "current", "check", "revision"]
    )
    parser.add_argument("--revision", default=None)
    parser.add_argument("-m", "--message", default=None)
    parser.add_argument("--autogenerate", action="store_true")
    parser.add_argument("--wait", type=float, default=0.0, help="check: seconds to wait for the heads")
    args = parser.parse_args(argv)
    url = args.url or os.environ.get(f"{args.service.upper()}_DATABASE_URL")
    if not url:
        parser.error(f"--url or {args.service.upper()}_DATABASE_URL is required")
    if args.action == "check":
        if wait_for_heads(args.service, url, args.wait):
            return 0
        sys.stderr.write(f"{args.service}: the database is not at the migrations' heads\n")
        return 1
    config = alembic_config(args.service, url)
    if args.action == "upgrade":
        command.upgrade(config, args.revision or "heads")
    elif args.action == "downgrade":
        command.downgrade(config, args.revision or "-1")
    elif args.action == "current":
        command.current(config, verbose=True)
    else:
        new_revision(config, args.service, args.message, autogenerate=args.autogenerate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
