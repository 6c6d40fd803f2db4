"""A service as a uvicorn subprocess: its env, a readiness wait on /healthz, a clean stop."""

from __future__ import annotations

import logging
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ._proc import free_port, spawn, stop, stop_all, wait_until
from .broker import SERVICE_SETTINGS
from .urls import HOST, service

_logger = logging.getLogger("aftersales_devstack")

GRACEFUL_SHUTDOWN_SECONDS = 15


TEST_POOL_SIZE = 3
TEST_SLA_GAUGE_SECONDS = 2

LOG_DIR_ENV = "AFTERSALES_SERVICE_LOG_DIR"
"""When set (the test plugin sets it for a session), a service process started without
explicit ``stdout``/``stderr`` writes both to ``<dir>/<name>-<port>.log``: the fault suite
scans every line the run's services wrote for personal data (issue 23, scenario 10)."""
"""Pooled connections of a service process under test (as many again may overflow)."""


def service_env(
    name: str,
    *,
    database_url: str,
    kafka_bootstrap: str,
    jwt_secret: str,
    environment: str = "dev",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The ``<NAME>_*`` settings a service needs to reach the stack (no inherited env).

    ``environment``: dev for ``make run``, test under the test fixtures; a service started
    without one is in production and refuses its test doubles (e.g. the fake payment gateway).
    """
    prefix = service(name).env_prefix
    env = {
        f"{prefix}ENVIRONMENT": environment,
        f"{prefix}DATABASE_URL": database_url,
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        f"{prefix}JWT_SECRET": jwt_secret,
    }
    if environment in ("dev", "test"):
        env.update({prefix + name: value for name, value in SERVICE_SETTINGS.items()})
    if environment == "test":
        # A test session runs whole stacks of five services beside its in-process apps, all on
        # one server with PostgreSQL's default 100 connections; a test process needs few.
        env[f"{prefix}DB_POOL_SIZE"] = str(TEST_POOL_SIZE)
        # Dashboards' SLA panels under test show a stopped clock within seconds, not 30.
        env[f"{prefix}SLA_GAUGE_SECONDS"] = str(TEST_SLA_GAUGE_SECONDS)
    env.update(extra or {})
    return env


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


class ServiceProcess:
    """``uvicorn <name>_service.main:app`` on ``HOST:port`` with ``env`` over our own env."""

    def __init__(
        self,
        name: str,
        env: Mapping[str, str],
        *,
        port: int | None = None,
        app: str | None = None,
        stdout: int | IO[bytes] | None = None,
        stderr: int | IO[bytes] | None = None,
    ) -> None:
        self.name = name
        self.env = dict(env)
        self.port = port if port is not None else free_port(HOST)
        self.url = f"http://{HOST}:{self.port}"
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            app or service(name).app,
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--timeout-graceful-shutdown",
            str(GRACEFUL_SHUTDOWN_SECONDS),
            "--no-access-log",
        ]
        full_env = {**os.environ, **env}
        self.log_path: Path | None = None
        log_file: IO[bytes] | None = None
        log_dir = os.environ.get(LOG_DIR_ENV)
        if log_dir and stdout is None and stderr is None:
            self.log_path = Path(log_dir) / f"{name}-{self.port}.log"
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            log_file = stdout = stderr = self.log_path.open("ab")
        level = full_env.get(f"{name.upper()}_LOG_LEVEL")
        if level:  # uvicorn logs its start-up lines before the app configures logging
            argv += ["--log-level", level.lower()]
        try:
            self.process = spawn(argv, env=full_env, stdout=stdout, stderr=stderr)
        finally:
            if log_file is not None:
                log_file.close()  # the child holds its own descriptor
        _logger.info(
            "devstack.service.spawned service=%s pid=%s url=%s",
            name,
            self.process.pid,
            self.url,
        )

    @property
    def database_url(self) -> str:
        """The database it runs on (its ``<NAME>_DATABASE_URL``)."""
        return self.env[f"{service(self.name).env_prefix}DATABASE_URL"]

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def wait_healthy(self, timeout: float = 60.0) -> None:
        wait_until(
            lambda: _healthy(self.url),
            timeout=timeout,
            what=f"{self.name} at {self.url}/healthz" + (f" (log: {self.log_path})" if self.log_path else ""),
            alive=lambda: self.running,
            interval=0.1,
        )

    def stop(self, timeout: float = GRACEFUL_SHUTDOWN_SECONDS + 5) -> int:
        code = stop(self.process, timeout=timeout, name=self.name)
        _logger.info("devstack.service.stopped service=%s code=%s", self.name, code)
        return code


def stop_services(processes: Iterable[ServiceProcess], timeout: float = GRACEFUL_SHUTDOWN_SECONDS + 5) -> None:
    """Stops every one at once (SIGTERM to all, one shared deadline, then SIGKILL): each
    drains and shuts down beside the others, not after them."""
    running = [(process.name, process.process) for process in processes]
    codes = stop_all(running, timeout=timeout)
    for name, code in codes.items():
        _logger.info("devstack.service.stopped service=%s code=%s", name, code)


@contextmanager
def running_service(
    name: str,
    *,
    database_url: str,
    kafka_bootstrap: str,
    jwt_secret: str,
    environment: str = "dev",
    port: int | None = None,
    extra_env: Mapping[str, str] | None = None,
    app: str | None = None,
    timeout: float = 60.0,
) -> Iterator[ServiceProcess]:
    """Starts a service, yields it once /healthz answers 200, stops it with SIGTERM."""
    env = service_env(
        name,
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        jwt_secret=jwt_secret,
        environment=environment,
        extra=extra_env,
    )
    proc = ServiceProcess(name, env, port=port, app=app)
    try:
        proc.wait_healthy(timeout)
        yield proc
    finally:
        proc.stop()


@contextmanager
def running_services(
    urls: Mapping[str, str],
    *,
    kafka_bootstrap: str,
    jwt_secret: str,
    environment: str = "test",
    timeout: float = 60.0,
) -> Iterator[dict[str, ServiceProcess]]:
    """Starts one process per service of ``urls`` (name → its migrated database) side by side,
    yields them once all answer /healthz, and stops them all."""
    processes: dict[str, ServiceProcess] = {}
    try:
        for name, url in urls.items():
            env = service_env(
                name, database_url=url, kafka_bootstrap=kafka_bootstrap, jwt_secret=jwt_secret, environment=environment
            )
            processes[name] = ServiceProcess(name, env)
        for process in processes.values():
            process.wait_healthy(timeout)
        yield processes
    finally:
        stop_services(processes.values())
