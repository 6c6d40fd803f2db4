"""One line of figures per fault scenario (issue 23).

Every scenario calls :func:`record` once with what it did and what came of it. The line is
printed (``make faults`` runs with ``-s``) and appended as JSON to the figures file, from
which ``python -m tests.faults.report`` writes the table in ``docs/reliability.md``.

A scenario that loses or doubles anything fails: :func:`record` asserts ``lost == 0`` and
``doubled == 0`` after writing the line, so the figure of a failing run is kept too.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FULL = os.environ.get("FAULTS_FULL") == "1"
"""``make faults`` sets FAULTS_FULL=1: the issue's full sizes. ``make test`` runs small ones."""

FIGURES_FILE = Path(os.environ.get("FAULTS_FIGURES", ".data/faults/figures.jsonl"))


def size(small: int, full: int) -> int:
    """The scenario's size: ``full`` under ``make faults``, ``small`` under ``make test``."""
    return full if FULL else small


def seconds(small: float, full: float) -> float:
    """A duration (load, freeze, soak) by the same rule as :func:`size`."""
    return full if FULL else small


@dataclass(frozen=True)
class Figure:
    scenario: str
    """Its number and name in issue 23, e.g. ``"1 kill -9 finance consumer mid-batch"``."""
    done: str
    """What was done, in words: ``"10000 RefundApproved, finance killed twice mid-batch"``."""
    sent: int
    """How many requests or events went in."""
    lost: int = 0
    doubled: int = 0
    refused: int = 0
    """Refused as designed (4xx, 503 with Retry-After): counted, not a failure."""
    errored: int = 0
    """5xx, schema violations, hangs: a scenario decides whether any is a failure."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Further figures: latencies, throughput, memory growth, DLQ counts."""


def record(figure: Figure) -> Figure:
    """Print the scenario's line, append it to the figures file, then fail on loss or doubling."""
    line = {
        **asdict(figure),
        "full": FULL,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    extra = " ".join(f"{key}={value}" for key, value in figure.extra.items())
    print(
        f"\n[fault] {figure.scenario}: {figure.done}; sent={figure.sent} lost={figure.lost} "
        f"doubled={figure.doubled} refused={figure.refused} errored={figure.errored} {extra}".rstrip()
    )
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    with FIGURES_FILE.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    assert figure.lost == 0, f"{figure.scenario}: {figure.lost} lost"
    assert figure.doubled == 0, f"{figure.scenario}: {figure.doubled} doubled"
    return figure
