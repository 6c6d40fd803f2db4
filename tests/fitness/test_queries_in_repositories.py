"""Queries live in each feature's ``repository.py`` (ADR 0016): no other module of a service
builds a statement or runs one, except the hot paths that ADR names, whose SQL is the point."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from aftersales_events.services import SERVICE_NAMES

# Set-based hot paths (ADR 0009, 0012, 0013): their statements stay beside the code that builds them.
EXEMPT = {
    "returns": {"parcels/ingest.py", "parcels/matching.py"},
    "finance": {"ledger/booking.py"},
}
STATEMENTS = {"select", "insert", "update", "delete", "text", "tuple_", "func"}
RUNS = {"execute", "scalar", "scalars", "stream", "stream_scalars"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names = {alias.name for alias in node.names} & STATEMENTS
            if names:
                found.append(f"{node.lineno}: imports {', '.join(sorted(names))} from {node.module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNS:
            receiver = node.func.value
            name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
            if "session" in name or "connection" in name:
                found.append(f"{node.lineno}: runs {name}.{node.func.attr}()")
    return found


def _modules(service: str) -> list[tuple[str, Path]]:
    root = Path(importlib.import_module(f"{service}_service").__file__ or "").parent
    return [
        (path.relative_to(root).as_posix(), path)
        for path in sorted(root.rglob("*.py"))
        if "migrations" not in path.parts and path.name not in ("repository.py", "models.py")  # DDL uses text, func
    ]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_queries_live_in_repositories(service: str) -> None:
    exempt = EXEMPT.get(service, set())
    found = [
        f"{where}:{violation}"
        for where, path in _modules(service)
        if where not in exempt
        for violation in _violations(path)
    ]
    assert found == []


def test_the_reader_finds_statements_and_their_runs(tmp_path: Path) -> None:
    module = tmp_path / "service.py"
    module.write_text(
        "from sqlalchemy import select\n"
        "async def f(self):\n"
        "    await self.session.execute(select(1))\n"
        "    await ctx.session.scalar(q)\n"
        "    cache.get('x')\n"
    )
    assert _violations(module) == [
        "1: imports select from sqlalchemy",
        "3: runs session.execute()",
        "4: runs session.scalar()",
    ]


def test_every_exempt_module_exists() -> None:
    for service, modules in EXEMPT.items():
        present = {where for where, _ in _modules(service)}
        assert modules <= present, f"{service}: {sorted(modules - present)} named exempt but gone"
