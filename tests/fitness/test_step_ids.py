"""Every step id the services use is one of PROCESSES.md, and every clock a service moves
has a policy in that service's PolicyBook.

Declarations check themselves when they load (events, policies, jobs, transition tables);
this test loads every module of every service, so a declaration nothing imports yet is
checked too, and reads the code for clocks moved by a literal step id outside a table."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

from aftersales_events.steps import SPEC_STEPS
from aftersales_sla import PolicyBook
from aftersales_workflow import Workflow

SERVICES = ("tickets", "returns", "reviews", "callcenter", "finance")
CLOCK_METHODS = {"start", "stop", "pause", "resume", "start_many"}


def _modules(service: str) -> list[ModuleType]:
    package = importlib.import_module(f"{service}_service")
    found = [package]
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if ".migrations" not in info.name:
            found.append(importlib.import_module(info.name))
    return found


def _policies(service: str) -> PolicyBook:
    book = importlib.import_module(f"{service}_service.sla").POLICIES
    assert isinstance(book, PolicyBook)
    return book


@pytest.mark.parametrize("service", SERVICES)
def test_transition_tables_use_their_services_policies(service: str) -> None:
    book = _policies(service)
    assert all(policy.step in SPEC_STEPS for policy in book)
    workflows = {id(v): v for m in _modules(service) for v in vars(m).values() if isinstance(v, Workflow)}
    for workflow in workflows.values():
        assert workflow.policies is book, f"{workflow.aggregate} is declared with another service's policies"
        assert workflow.steps() <= SPEC_STEPS | {p.step for p in book}


def _literal_clock_steps(path: Path) -> list[tuple[int, str]]:
    """``<...>.sla.<method>("T1A3", ...)``: the literal step ids a module moves clocks by."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
        if node.func.attr in CLOCK_METHODS and "sla" in name and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_clocks_moved_by_a_literal_step_have_a_policy(service: str) -> None:
    steps = {p.step for p in _policies(service)}
    source = Path(importlib.import_module(f"{service}_service").__file__ or "").parent
    unknown = [
        f"{path.relative_to(source)}:{line} {step}"
        for path in sorted(source.rglob("*.py"))
        if "migrations" not in path.parts
        for line, step in _literal_clock_steps(path)
        if step not in steps
    ]
    assert unknown == []


def test_the_literal_step_reader_finds_what_it_should(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text(
        "async def f(self, sla):\n"
        "    await self.sla.stop('T9', key, by='x')\n"
        "    await sla.start('T1A3', 'return', key)\n"
        "    await self.other.stop('T8')\n"
    )
    assert _literal_clock_steps(module) == [(2, "T9"), (3, "T1A3")]
