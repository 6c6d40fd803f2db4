"""Session fixtures for PostgreSQL, the broker and services (``-p aftersales_devstack.pytest_plugin``).

Servers come from the environment when given (TEST_DATABASE_URL, else DATABASE_URL;
KAFKA_BOOTSTRAP_SERVERS), otherwise embedded ones are started for the session and removed
at its end. Fixtures are synchronous so that async tests on any loop scope can use them.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import pytest

from .broker import SERVICE_SETTINGS, Broker
from .postgres import EmbeddedPostgres, clone_database, drop_databases, ensure_databases
from .services import LOG_DIR_ENV, ServiceProcess, running_service
from .stack import migrate
from .urls import DEV_JWT_SECRET, SERVICES, database_name, service, with_database

_SUFFIX = re.compile(r"^[a-z0-9_]{1,20}$")


class ServiceDatabaseFactory(Protocol):
    def __call__(self, name: str, /, *, suffix: str = "", migrated: bool = True) -> str: ...


class ServiceRunner(Protocol):
    def __call__(
        self,
        name: str,
        /,
        *,
        database_url: str | None = None,
        extra_env: Mapping[str, str] | None = None,
        port: int | None = None,
        timeout: float = 60.0,
    ) -> AbstractContextManager[ServiceProcess]: ...


class _NothingRanGuard:
    """Turns a session where no test body ran (all skipped or deselected) into exit code 5.

    pytest already exits 5 when nothing is collected; a suite whose tests all skip (say,
    because a server is missing) must not pass CI either.
    """

    def __init__(self) -> None:
        self.ran = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and (report.outcome != "skipped" or hasattr(report, "wasxfail")):
            self.ran += 1

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if exitstatus == pytest.ExitCode.OK and self.ran == 0 and not session.config.option.collectonly:
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line("aftersales_devstack: no test ran; failing the session (exit 5)")
            session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_NothingRanGuard(), "aftersales-devstack-nothing-ran")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_Groups(), "aftersales-devstack-xdist-groups")
    config.addinivalue_line("markers", "last: run after every other test of the session (a scan of what the run left)")
    for prefix in ("AFTERSALES_", *(svc.env_prefix for svc in SERVICES)):
        # The session's in-process apps read their settings from here too: consumers joining
        # the embedded broker's groups in 1.5 s, not 5, fetching within 100 ms, relays sending
        # batches (broker.py).
        for name, value in SERVICE_SETTINGS.items():
            os.environ.setdefault(prefix + name, value)
    if not os.environ.get(LOG_DIR_ENV):
        # Service processes of this session log to files here, not onto the terminal; kept
        # after a failed session for reading, removed after one that passed.
        os.environ[LOG_DIR_ENV] = tempfile.mkdtemp(prefix="aftersales-service-logs-")
        config.pluginmanager.register(_OwnLogDir(Path(os.environ[LOG_DIR_ENV])), "aftersales-devstack-log-dir")


class _OwnLogDir:
    """The service-log directory this session made: removed when the session passed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if session.exitstatus == pytest.ExitCode.OK:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"aftersales_devstack: the service processes' logs are in {self.path}")


GENERATED_STACK_MODULES = frozenset(
    f"tests/faults/{name}.py"
    for name in ("test_generated_requests", "test_role_matrix", "test_idempotency", "test_pii_in_logs")
)
"""The modules on the generated-requests stack (fixture ``generated_stack``): one group, so the
stack starts once. A worker refuses a module that uses the fixture and is not named here."""

_HANDED_OUT = {"tests": 1, "fault-scenarios": 2, "generated-stack": 3}
"""The order in which pytest-xdist hands the groups out (the packages are 0, by path): the
packages, then ``tests/`` (the end-to-end stack's flows), the fault scenarios, and the
generated stack's tests last. So each worker runs a subsequence of the one-process order with
the fault suite last, and what one test leaves on its worker's broker reaches only tests it
reached in one process: the calendar days a flow changes (``tickets.calendar``), the
thousands of events and the poison of the fault scenarios. The generated stack's last test
scans every service log of the run: when it is handed out, every other group has finished
but the fault scenarios, whose services log elsewhere (``.data/faults/logs``)."""


def distribution_group(nodeid: str) -> str:
    """The unit pytest-xdist hands to one worker, from a test's id (the controller has no
    more): the tests of one package (``services/tickets``, ``libs/events``), whose session
    fixtures (apps, template databases) are then built once; ``tests`` (its files share the
    end-to-end stack); the generated stack's modules; the fault scenarios, one at a time as
    without xdist."""
    path = nodeid.split("::", 1)[0]
    parts = path.split("/")
    if path in GENERATED_STACK_MODULES:
        return "generated-stack"
    if parts[:2] == ["tests", "faults"]:
        return "fault-scenarios"
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]


class _Groups:
    """pytest-xdist's scheduler for ``--dist loadgroup`` (``make test``), with the groups of
    :func:`distribution_group`. xdist's own ``xdist_group`` markers do not work with pytest 9:
    xdist 3.8 appends the group to ``item._nodeid``, which pytest 9 no longer reads."""

    @staticmethod
    def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
        if config.getoption("dist") != "loadgroup":
            return None
        from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped,import-not-found,unused-ignore]

        class ByGroup(LoadScopeScheduling):  # type: ignore[misc,unused-ignore]
            def _split_scope(self, nodeid: str) -> str:
                return distribution_group(nodeid)

        return ByGroup(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``last`` go to the end, in their order (the sort is stable). In a
    pytest-xdist worker the groups of :func:`distribution_group` are ordered as
    :data:`_HANDED_OUT` says (the controller hands them out in the order the workers collected:
    ``--no-loadscope-reorder``)."""
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)
    if not hasattr(config, "workerinput"):
        return
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        if "generated_stack" in getattr(item, "fixturenames", ()) and module not in GENERATED_STACK_MODULES:
            raise pytest.UsageError(f"{module} uses generated_stack: name it in GENERATED_STACK_MODULES")
    items.sort(key=lambda item: _HANDED_OUT.get(distribution_group(item.nodeid), 0))


@pytest.fixture(scope="session")
def service_log_dir() -> Path:
    """Where this session's service processes write their logs (``ServiceProcess``)."""
    return Path(os.environ[LOG_DIR_ENV])


@pytest.fixture(scope="session")
def test_run_id() -> str:
    """``t<hex8>``: prefixes this session's databases so parallel sessions never collide."""
    return f"t{secrets.token_hex(4)}"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A URL of a database on the server (``postgres`` when embedded); used to create others."""
    given = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if given:
        yield given
        return
    tmp = Path(tempfile.mkdtemp(prefix="aftersales-pg-"))
    try:
        server = EmbeddedPostgres(tmp / "data", remove_on_stop=tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def service_database_url(pg_server_url: str, test_run_id: str) -> Iterator[ServiceDatabaseFactory]:
    """``service_database_url("returns") -> "postgresql://.../t1a2b3c4d_returns?..."``.

    Creates the database on first call, migrated (unless ``migrated=False``); later calls
    with the same arguments return the same database. ``suffix`` gives another independent
    database for the same service. All are dropped at the end of the session.

    Each service's migrations run once a session, into a template database
    (``<run>_<service>_template``, never connected to otherwise); every migrated database is
    a copy of it (``CREATE DATABASE ... TEMPLATE``), a fraction of a second where an Alembic
    run costs seconds.
    """
    created: dict[tuple[str, str, bool], str] = {}
    templates: dict[str, str] = {}

    def template_of(name: str) -> str:
        if name not in templates:
            database = f"{test_run_id}_{name}_template"
            ensure_databases(pg_server_url, [database])
            templates[name] = database
            migrate({name: with_database(pg_server_url, database)})
        return templates[name]

    def factory(name: str, *, suffix: str = "", migrated: bool = True) -> str:
        service(name)  # unknown names fail here, not as a confusing migration error
        if suffix and not _SUFFIX.match(suffix):
            raise ValueError(f"suffix must match {_SUFFIX.pattern}: {suffix!r}")
        key = (name, suffix, migrated)
        if key not in created:
            database = f"{test_run_id}_{name}" + (f"_{suffix}" if suffix else "")
            database += "" if migrated else "_bare"
            if migrated:
                created[key] = clone_database(pg_server_url, template_of(name), database)
            else:
                ensure_databases(pg_server_url, [database])
                created[key] = with_database(pg_server_url, database)
        return created[key]

    yield factory
    names = [database_name(url) for url in created.values()] + list(templates.values())
    if names:
        drop_databases(pg_server_url, names)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """``host:port`` of a Kafka-protocol broker: KAFKA_BOOTSTRAP_SERVERS or an embedded Tansu."""
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="aftersales-tansu-") as tmp:
        broker = Broker(log_path=Path(tmp) / "tansu.log")
        try:
            yield broker.bootstrap
        finally:
            broker.stop()


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    """The key services under test verify tokens with (JWT_SECRET, else the dev secret)."""
    return os.environ.get("JWT_SECRET") or DEV_JWT_SECRET


@pytest.fixture(scope="session")
def run_service(service_database_url: ServiceDatabaseFactory, kafka_bootstrap: str, jwt_secret: str) -> ServiceRunner:
    """``with run_service("returns") as svc: httpx.get(f"{svc.url}/healthz")``.

    Starts ``uvicorn <service>_service.main:app`` on a free port with its ``<NAME>_*`` env
    (its session database unless ``database_url`` is given), yields once /healthz answers,
    and stops it with SIGTERM on exit.
    """

    def runner(
        name: str,
        *,
        database_url: str | None = None,
        extra_env: Mapping[str, str] | None = None,
        port: int | None = None,
        timeout: float = 60.0,
    ) -> AbstractContextManager[ServiceProcess]:
        return running_service(
            name,
            database_url=database_url or service_database_url(name),
            kafka_bootstrap=kafka_bootstrap,
            jwt_secret=jwt_secret,
            environment="test",
            extra_env=extra_env,
            port=port,
            timeout=timeout,
        )

    return runner


__all__ = [
    "ServiceDatabaseFactory",
    "ServiceRunner",
    "jwt_secret",
    "kafka_bootstrap",
    "pg_server_url",
    "run_service",
    "service_database_url",
    "service_log_dir",
    "test_run_id",
]
