"""Where the dev stack's pieces come from: env-given servers or embedded ones, and migrations."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ._proc import spawn
from .urls import SERVICE_NAMES, with_database

_logger = logging.getLogger("aftersales_devstack")

RUN_DATABASE_PREFIX = "aftersales_"
MIGRATE_TIMEOUT_SECONDS = 300.0


def repo_root() -> Path:
    """The workspace root: the nearest ancestor of the cwd holding ``libs/devstack``."""
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "libs" / "devstack" / "pyproject.toml").is_file():
            return candidate
    return here


def data_dir() -> Path:
    return repo_root() / ".data"


def database_urls(server_url: str, prefix: str, services: Sequence[str] = SERVICE_NAMES) -> dict[str, str]:
    """service -> URL of database ``<prefix><service>`` on the server ``server_url`` points at."""
    return {name: with_database(server_url, f"{prefix}{name}") for name in services}


def migrate(urls: Mapping[str, str], *, timeout: float = MIGRATE_TIMEOUT_SECONDS) -> None:
    """Applies each service's migrations, one ``aftersales_chassis.migrate`` process each, in parallel.

    Separate processes keep Alembic's logging setup and event loop out of the caller (the
    supervisor, or a pytest session whose loop may be running).
    """
    running: list[tuple[str, subprocess.Popen[bytes], tempfile._TemporaryFileWrapper[bytes]]] = []
    try:
        for name, url in urls.items():
            out = tempfile.NamedTemporaryFile(prefix=f"migrate-{name}-", suffix=".log")  # noqa: SIM115
            argv = [
                sys.executable,
                "-m",
                "aftersales_chassis.migrate",
                name,
                "--url",
                url,
            ]
            running.append(
                (
                    name,
                    spawn(argv, env=os.environ, stdout=out, stderr=subprocess.STDOUT),
                    out,
                )
            )
        failures: list[str] = []
        for name, proc, out in running:
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            if code != 0:
                out.seek(0)
                failures.append(f"--- {name} (exit {code}) ---\n{out.read().decode(errors='replace')}")
            else:
                _logger.info("devstack.migrate.done service=%s", name)
        if failures:
            raise RuntimeError("migrations failed:\n" + "\n".join(failures))
    finally:
        for _, proc, out in running:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            out.close()
