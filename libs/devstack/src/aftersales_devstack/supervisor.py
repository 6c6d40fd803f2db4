"""``make run``: PostgreSQL, Tansu, migrations, the five services; Ctrl-C stops it all.

A service that dies is started again after a pause (:mod:`.restarts`); the stack stops
only on Ctrl-C (or SIGTERM), when a service keeps crashing, or when start-up fails."""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

from ._embedded import PostmasterInfo
from ._proc import port_in_use, stop_all
from .broker import Broker
from .postgres import EmbeddedPostgres, ensure_databases
from .restarts import KeepsCrashing, RestartPolicy, Supervised
from .services import GRACEFUL_SHUTDOWN_SECONDS, ServiceProcess, service_env
from .stack import RUN_DATABASE_PREFIX, data_dir, database_urls, migrate
from .urls import DEV_JWT_SECRET, HOST, KAFKA_PORT, SERVICES, redact

_logger = logging.getLogger("aftersales_devstack")


class _Stop(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)


def _raise_stop(signum: int, _frame: FrameType | None) -> None:
    raise _Stop(signum)


def _note_second_signal(signum: int, _frame: FrameType | None) -> None:
    _logger.warning("devstack.stopping signal=%s (already stopping)", signal.Signals(signum).name)


def jwt_secret() -> str:
    return os.environ.get("JWT_SECRET") or DEV_JWT_SECRET


def start_postgres() -> tuple[str, EmbeddedPostgres | None]:
    """DATABASE_URL if set (nothing started), else the embedded server under ``.data/postgres``."""
    given = os.environ.get("DATABASE_URL")
    if given:
        return given, None
    server = EmbeddedPostgres(data_dir() / "postgres")
    return server.url, server


def _check_ports_free(ports: list[int]) -> None:
    taken = [port for port in ports if port_in_use(HOST, port)]
    if taken:
        raise RuntimeError(f"ports already in use on {HOST}: {taken} (is another `make run` running?)")


def _banner(kafka: str, urls: dict[str, str]) -> str:
    lines = ["", "aftersales dev stack is up:", ""]
    for svc in SERVICES:
        lines.append(f"  {svc.name:<15} {svc.url}   docs {svc.url}/docs")
    lines += [
        "",
        f"  {'kafka':<15} {kafka}",
        *(f"  {'db ' + name:<15} {redact(url)}" for name, url in urls.items()),
        "",
        "  token           make token ROLE=agent   (SUB=alice SCOPE=refund:approve optional)",
        "  env             .venv/bin/python -m aftersales_devstack env",
        "  stop            Ctrl-C",
        "",
    ]
    return "\n".join(lines) + "\n"


def _supervised(first: ServiceProcess) -> Supervised:
    """The service, restarted on the same port with the same settings when it dies."""

    def start() -> subprocess.Popen[bytes]:
        return ServiceProcess(first.name, first.env, port=first.port).process

    return Supervised(first.name, start, RestartPolicy(), process=first.process)


def run() -> int:
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    cleanups: list[Callable[[], None]] = []
    services: list[ServiceProcess] = []
    supervised: list[Supervised] = []
    code = 0
    try:
        external_kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        ports = [svc.port for svc in SERVICES] + ([] if external_kafka else [KAFKA_PORT])
        _check_ports_free(ports)
        server_url, pg = start_postgres()
        if pg is not None:
            cleanups.append(pg.stop)
        kafka = external_kafka
        if kafka is None:
            broker = Broker(KAFKA_PORT, log_path=data_dir() / "tansu.log")
            cleanups.append(broker.stop)
            kafka = broker.bootstrap
        urls = database_urls(server_url, RUN_DATABASE_PREFIX)
        ensure_databases(server_url, [f"{RUN_DATABASE_PREFIX}{name}" for name in urls])
        migrate(urls)
        secret = jwt_secret()
        for svc in SERVICES:
            env = service_env(
                svc.name,
                database_url=urls[svc.name],
                kafka_bootstrap=kafka,
                jwt_secret=secret,
            )
            services.append(ServiceProcess(svc.name, env, port=svc.port))
        for proc in services:
            proc.wait_healthy(timeout=120)
        sys.stdout.write(_banner(kafka, urls))
        sys.stdout.flush()
        supervised = [_supervised(proc) for proc in services]
        while True:
            for one in supervised:
                one.tick(time.monotonic())
            time.sleep(0.2)
    except _Stop as stop:
        _logger.info("devstack.stopping signal=%s", stop)
    except KeepsCrashing as crashing:
        _logger.error("devstack.service.keeps_crashing %s; stopping everything", crashing)
        code = 1
    except Exception:
        _logger.exception("devstack.failed; stopping everything")
        code = 1
    finally:
        signal.signal(signal.SIGINT, _note_second_signal)
        signal.signal(signal.SIGTERM, _note_second_signal)
        # Each service's current process: a restarted one replaced the one started first.
        processes = [(one.name, one.process) for one in supervised] or [(p.name, p.process) for p in services]
        if processes:
            stop_all(processes, timeout=GRACEFUL_SHUTDOWN_SECONDS + 5)
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception:
                _logger.exception("devstack.cleanup.failed")
                code = 1
        _logger.info("devstack.stopped code=%s", code)
    return code


def migrate_only() -> int:
    server_url, pg = start_postgres()
    try:
        urls = database_urls(server_url, RUN_DATABASE_PREFIX)
        ensure_databases(server_url, [f"{RUN_DATABASE_PREFIX}{name}" for name in urls])
        migrate(urls)
        return 0
    finally:
        # Leave alone a server that a running `make run` owns.
        if pg is not None and pg.started_here:
            pg.stop()


def env_exports() -> str:
    """Shell ``export`` lines pointing a service (run by hand) at the running dev stack."""
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        pgdata = data_dir() / "postgres"
        info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.is_dir() else None
        if info is None or not info.is_running():
            raise RuntimeError(f"no PostgreSQL running on {pgdata}: start the stack with `make run`")
        server_url = info.get_uri(database="postgres")
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or f"{HOST}:{KAFKA_PORT}"
    urls = database_urls(server_url, RUN_DATABASE_PREFIX)
    lines = []
    for svc in SERVICES:
        env = service_env(
            svc.name,
            database_url=urls[svc.name],
            kafka_bootstrap=kafka,
            jwt_secret=jwt_secret(),
        )
        lines += [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
    return "\n".join(lines) + "\n"
