"""Reading what an earlier migration wrote, for a later migration's downgrade.

A migration that replaces a trigger function puts the earlier body back when it is
downgraded. That body is in the earlier migration, which is never edited; so the later
one reads it from there instead of carrying a second copy::

    previous = earlier_migration(__file__, "20261126_0900_finance_0005_settlement_freeze.py")
    op.execute(or_replace(previous.SETTLEMENT_GUARD))
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def earlier_migration(current_file: str, filename: str) -> ModuleType:
    """The migration module ``filename`` in the same versions directory as ``current_file``
    (migration files are named by date, so they are not importable by name)."""
    path = Path(current_file).with_name(filename)
    spec = importlib.util.spec_from_file_location(f"_migration_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def or_replace(create_function: str) -> str:
    """``CREATE FUNCTION ...`` as ``CREATE OR REPLACE FUNCTION ...``."""
    statement = create_function.lstrip()
    if not statement.startswith("CREATE FUNCTION "):
        raise ValueError("not a CREATE FUNCTION statement")
    return "CREATE OR REPLACE FUNCTION " + statement.removeprefix("CREATE FUNCTION ")
