"""Routers only route: no module that defines routes queries the database or commits.

Queries live in repositories (or the service's readers) and the one commit per unit of work
is made by the request dependency (ARCHITECTURE.md, "Inside a service"). Read from the
syntax tree, so neither a comment nor a string can hide or fake a violation.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from .source import Module, Service, imported, modules, services, top_level

SERVICES = services()
# What only a session (or a connection) does; nothing else a router holds has these methods.
DATABASE_VERBS = {"execute", "scalar", "scalars", "commit", "flush", "stream", "stream_scalars"}
# Also a session's, but sets, dicts and lists have them too: counted on a session only.
SESSION_VERBS = DATABASE_VERBS | {"add", "add_all", "delete", "get", "merge", "refresh", "rollback", "begin"}


def _name(node: ast.expr) -> str:
    """The last identifier of ``a.b.c`` / ``c`` / ``f()`` ("" for anything else)."""
    if isinstance(node, ast.Call):
        return _name(node.func)
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def defines_routes(module: Module) -> bool:
    if module.path.name == "api.py" or module.path.parent.name == "api":
        return True
    return any(
        isinstance(node, ast.Call) and _name(node.func) in {"APIRouter", "service_router"}
        for node in ast.walk(module.tree)
    )


def _sessions(tree: ast.AST) -> set[str]:
    """Names bound to a session: parameters annotated as one (``SessionDep``, ``AsyncSession``),
    and names assigned or ``with``-bound from anything called or named ``*session*``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None and "Session" in ast.unparse(node.annotation):
            names.add(node.arg)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if "session" in _name(node.value).lower():
                names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif (
            isinstance(node, ast.withitem)
            and isinstance(node.optional_vars, ast.Name)
            and "session" in _name(node.context_expr).lower()
        ):
            names.add(node.optional_vars.id)
    return names


def _is_session(receiver: ast.expr, sessions: set[str]) -> bool:
    name = _name(receiver)
    return name in sessions or "session" in name.lower()


def violations(module: Module) -> Iterator[str]:
    for line, name in imported(module):
        if top_level(name) == "sqlalchemy":
            yield f"{module.where}:{line}: imports {name}"
    sessions = _sessions(module.tree)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            verb, receiver = node.func.attr, node.func.value
            if verb in DATABASE_VERBS or (verb in SESSION_VERBS and _is_session(receiver, sessions)):
                yield f"{module.where}:{node.lineno}: calls {ast.unparse(node.func)}()"


def _routers(service: Service) -> list[Module]:
    return [module for module in modules(service.source) if defines_routes(module)]


def test_the_routers_are_found() -> None:
    """The check below must not pass for want of routers: returns' and finance's are there."""
    found = {module.where for service in SERVICES for module in _routers(service)}
    assert "services/returns/src/returns_service/returns/api.py" in found
    assert "services/returns/src/returns_service/parcels/api.py" in found
    assert {
        "services/finance/src/finance_service/ledger/api.py",
        "services/finance/src/finance_service/periods/api.py",
        "services/finance/src/finance_service/settlement/api.py",
    } <= found


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_routers_run_no_queries_and_no_commits(service: Service) -> None:
    found = [violation for module in _routers(service) for violation in violations(module)]
    assert found == [], "move the query into the service or its repository; the request dependency commits:\n" + (
        "\n".join(found)
    )
