"""One field path shape (issue 17 item 11): a rule error names its field the way a
validation error does, from where the request carries it: ``body.lines[0].quantity``,
``query.month``, ``path.parcel_id``; never ``lines[0].quantity``.

Read from the syntax tree: every ``field=`` a service's or a library's code passes with a
literal (or an f-string) value must begin with a location."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from aftersales_chassis.problem_handlers import FIELD_LOCATIONS

from .source import ROOT, modules

SOURCES = sorted(
    [*(ROOT / "services").glob("*/src/*_service"), *(ROOT / "libs").glob("*/src/aftersales_*")],
)


def _literal_start(value: ast.expr) -> str | None:
    """The text a literal or an f-string value begins with (None when it is not a literal)."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.JoinedStr) and value.values:
        first = value.values[0]
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
    return None


def _shaped(path: str) -> bool:
    head = path.split(".", 1)[0].split("[", 1)[0]
    return head in FIELD_LOCATIONS


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(Path(p).relative_to(ROOT)))
def test_every_named_field_starts_with_its_location(source: Path) -> None:
    wrong = [
        f"{module.where}:{node.lineno}: field={start!r}"
        for module in modules(source)
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "field" and (start := _literal_start(keyword.value)) is not None and not _shaped(start)
    ]
    assert not wrong, "a field path begins with body., query., path. or header.:\n" + "\n".join(wrong)


def test_the_check_sees_an_unshaped_path() -> None:
    assert [_shaped(p) for p in ("lines[0].quantity", "(scan)", "order_id")] == [False] * 3
    assert [_shaped(p) for p in ("body.lines[0].quantity", "body[3].kind", "query.month")] == [True] * 3
