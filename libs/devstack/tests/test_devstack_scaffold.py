"""The generator writes a service and a feature in the one shape, registers the service in
the one list, the dev stack's ports and the workspace, and refuses to overwrite anything.
(Generated once by hand and run end to end: lint, mypy strict, `make revision`, its tests.)"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aftersales_devstack.scaffold import ScaffoldError, main, new_feature, new_service
from aftersales_devstack.stack import repo_root

REGISTRATION = (
    "pyproject.toml",
    "libs/events/src/aftersales_events/services.py",
    "libs/devstack/src/aftersales_devstack/urls.py",
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for name in REGISTRATION:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo_root() / name, tmp_path / name)
    return tmp_path


def _exec(path: Path) -> dict[str, object]:
    """Runs a registration module's source (they import only the standard library)."""
    namespace: dict[str, object] = {"__name__": "scaffold_check"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def test_a_service_and_a_feature_are_written_and_registered(workspace: Path) -> None:
    written = new_service(workspace, "loyalty", 8006, "loyalty points and vouchers")
    feature = new_feature(workspace, "loyalty", "vouchers", "voucher", "A5", "vouchers")
    source = workspace / "services/loyalty/src/loyalty_service"
    assert {p.relative_to(source).as_posix() for p in [*written, *feature] if source in p.parents} >= {
        "main.py", "settings.py", "sla.py", "db.py", "consumers.py", "migrations/env.py",
        "migrations/script.py.mako", "vouchers/api.py", "vouchers/service.py", "vouchers/repository.py",
        "vouchers/models.py", "vouchers/schemas.py", "vouchers/state.py",
    }  # fmt: skip
    assert (workspace / "services/loyalty/tests/vouchers/test_vouchers.py").is_file()
    for path in [*written, *feature]:
        text = path.read_text()
        assert "{{" not in text, path
        if path.suffix == ".py":
            ast.parse(text, str(path))
    main_py = (source / "main.py").read_text()
    assert "from .vouchers.api import router as vouchers_router" in main_py
    assert "routers=[vouchers_router]" in main_py
    assert 'Workflow(\n    "voucher"' in (source / "vouchers/state.py").read_text()
    assert 'on("open", "A5", [NEW], S.open, by=STAFF)' in (source / "vouchers/state.py").read_text()

    services = _exec(workspace / "libs/events/src/aftersales_events/services.py")["SERVICE_NAMES"]
    assert services == ("tickets", "returns", "reviews", "callcenter", "finance", "loyalty")
    pyproject = (workspace / "pyproject.toml").read_text()
    assert '  "aftersales-loyalty",\n' in pyproject
    assert "aftersales-loyalty = { workspace = true }" in pyproject
    assert '"loyalty_service",\n]' in pyproject
    assert '"loyalty": 8006}' in (workspace / "libs/devstack/src/aftersales_devstack/urls.py").read_text()

    config = ["--config", str(repo_root() / "pyproject.toml")]
    subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--quiet", *config, str(workspace / "services")], check=True
    )
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "--fix", *config, str(workspace / "services")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_nothing_is_overwritten_and_names_are_checked(workspace: Path) -> None:
    new_service(workspace, "loyalty", 8006, "x")
    with pytest.raises(ScaffoldError, match="refusing to overwrite"):
        new_service(workspace, "loyalty", 8007, "x")
    with pytest.raises(ScaffoldError, match="port 8001 is taken"):
        new_service(workspace, "gifts", 8001, "x")
    with pytest.raises(ScaffoldError, match="lower case"):
        new_service(workspace, "Gifts", 8009, "x")
    with pytest.raises(ScaffoldError, match="no service nosuch"):
        new_feature(workspace, "nosuch", "things", "thing", "A1", "x")
    new_feature(workspace, "loyalty", "vouchers", "voucher", "A5", "x")
    with pytest.raises(ScaffoldError, match="refusing to overwrite"):
        new_feature(workspace, "loyalty", "vouchers", "voucher", "A5", "x")


def test_the_command_says_what_to_do_next_or_what_went_wrong(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(workspace), "service", "loyalty", "--port", "8006"]) == 0
    assert "next: make install" in capsys.readouterr().out
    assert main(["--root", str(workspace), "service", "loyalty", "--port", "8006"]) == 2
    assert "scaffold: refusing to overwrite" in capsys.readouterr().err
