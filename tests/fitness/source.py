"""The source tree as the fitness tests read it: every service's package and its modules, parsed."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Module:
    path: Path
    tree: ast.Module

    @property
    def where(self) -> str:
        return str(self.path.relative_to(ROOT))


@dataclass(frozen=True)
class Service:
    name: str  # "returns"
    root: Path  # services/returns

    @property
    def package(self) -> str:
        return f"{self.name}_service"

    @property
    def source(self) -> Path:
        return self.root / "src" / self.package


def services() -> list[Service]:
    """Every service in the tree, found by its ``services/<name>/src/<name>_service`` package."""
    found = [
        Service(root.name, root)
        for root in sorted((ROOT / "services").iterdir())
        if (root / "src" / f"{root.name}_service" / "__init__.py").is_file()
    ]
    assert len(found) >= 5, f"expected the five services under {ROOT / 'services'}, found {found}"
    return found


@cache
def parse(path: Path) -> Module:
    return Module(path, ast.parse(path.read_text(), filename=str(path)))


def modules(under: Path, *, migrations: bool = False) -> Iterator[Module]:
    for path in sorted(under.rglob("*.py")):
        if migrations or "migrations" not in path.relative_to(under).parts:
            yield parse(path)


def imported(module: Module) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything the module imports, anywhere in it (functions and
    ``TYPE_CHECKING`` blocks included): ``from a.b import c`` is ``a.b.c``, a relative import
    keeps its dots (``..testing.x``), ``importlib.import_module("...")`` with a literal counts."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if node.module else f"{base}{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def top_level(name: str) -> str:
    """The package an absolute import reaches ("" for a relative one)."""
    return "" if name.startswith(".") else name.split(".", 1)[0]
