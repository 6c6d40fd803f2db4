"""`make test` on pytest-xdist workers (ADR 0034): a group runs on one worker, and each worker
runs a subsequence of the one-process order with the fault suite last, so what a test leaves
on its worker's broker reaches only tests that it also reached in one process."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

_RECORD = """
import os

import pytest


@pytest.fixture(autouse=True)
def _ran(request: pytest.FixtureRequest) -> None:
    with open(os.environ["RAN_LOG"], "a", encoding="utf-8") as out:
        out.write(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')} {request.node.nodeid}\\n")
"""

_FILES = {
    "conftest.py": _RECORD,
    "libs/calendar/tests/test_days.py": "def test_one(): pass\ndef test_two(): pass\n",
    "libs/events/tests/test_relay.py": "def test_one(): pass\ndef test_two(): pass\ndef test_three(): pass\n",
    "services/returns/tests/test_refunds.py": "def test_one(): pass\ndef test_two(): pass\n",
    "services/tickets/tests/test_cases.py": "def test_one(): pass\n",
    "services/tickets/tests/complaints/test_intake.py": "def test_one(): pass\ndef test_two(): pass\n",
    "tests/conftest.py": "import pytest\n\n@pytest.fixture(scope='session')\ndef stack(): return {}\n",
    "tests/test_docs.py": "def test_one(): pass\n",
    "tests/test_a_flow_e2e.py": "def test_one(stack): pass\ndef test_two(stack): pass\n",
    "tests/test_z_flow_e2e.py": "def test_one(stack): pass\n",
    "tests/faults/conftest.py": (
        "import pytest\n\n@pytest.hookimpl(tryfirst=True)\ndef pytest_collection_modifyitems(items):\n"
        "    for item in items:\n        if '/tests/faults/' in str(item.path):\n"
        "            item.add_marker(pytest.mark.last)\n"
    ),
    "tests/faults/test_role_matrix.py": (
        "import pytest\n\n@pytest.fixture(scope='session')\ndef generated_stack(): return {}\n\n"
        "def test_one(generated_stack): pass\ndef test_two(generated_stack): pass\n"
    ),
    "tests/faults/test_kill.py": "def test_one(): pass\n",
    "tests/faults/test_restart.py": "def test_one(): pass\n",
}


def _ran(pytester: pytest.Pytester, log: Path, *args: str) -> list[tuple[str, str]]:
    log.unlink(missing_ok=True)
    result = pytester.runpytest_subprocess("-p", "aftersales_devstack.pytest_plugin", "-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=18)
    return [(line.split()[0], line.split()[1]) for line in log.read_text(encoding="utf-8").splitlines()]


def test_a_group_runs_on_one_worker_and_each_worker_follows_the_one_process_order(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    for name, text in _FILES.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    log = pytester.path / "ran.log"
    monkeypatch.setenv("RAN_LOG", str(log))

    one_process = [test for _, test in _ran(pytester, log)]
    assert one_process[-4:] == [
        "tests/faults/test_kill.py::test_one",
        "tests/faults/test_restart.py::test_one",
        "tests/faults/test_role_matrix.py::test_one",
        "tests/faults/test_role_matrix.py::test_two",
    ]

    workers: dict[str, list[str]] = {}
    for worker, test in _ran(pytester, log, "-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder"):
        workers.setdefault(worker, []).append(test)
    assert sorted(workers) == ["gw0", "gw1"], "both workers took work"

    def worker_of(prefix: str) -> set[str]:
        return {worker for worker, tests in workers.items() for test in tests if test.startswith(prefix)}

    for group in ("libs/events/", "services/tickets/", "tests/test_a_flow_e2e.py", "tests/faults/test_role_matrix"):
        assert len(worker_of(group)) == 1, group
    assert worker_of("tests/test_a_flow_e2e.py") == worker_of("tests/test_z_flow_e2e.py"), "one end-to-end stack"
    assert worker_of("tests/faults/test_kill") == worker_of("tests/faults/test_restart"), "scenarios one at a time"
    for tests in workers.values():
        # The fault suite last, as in one process (its modules among themselves in another order:
        # the generated stack's first); everything before it in the one-process order.
        first_fault = next((i for i, test in enumerate(tests) if test.startswith("tests/faults/")), len(tests))
        assert all(test.startswith("tests/faults/") for test in tests[first_fault:]), tests
        positions = [one_process.index(test) for test in tests[:first_fault]]
        assert positions == sorted(positions), tests
