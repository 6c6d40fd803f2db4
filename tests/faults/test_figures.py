"""The reporter itself: a figure line is written and read back into the table, and a
figure that lost or doubled anything fails its scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import figures, report


def test_a_figure_is_written_and_lands_in_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "figures.jsonl"
    monkeypatch.setattr(figures, "FIGURES_FILE", out)
    monkeypatch.setattr(figures, "FULL", True)
    figures.record(figures.Figure("6 duplicates", "1000 events twice", sent=2000, extra={"dlq": 0}))
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line["scenario"] == "6 duplicates"
    assert line["full"] is True
    rendered = report.table(report._latest_full(out))
    assert "| 6 duplicates | 1000 events twice | 2000 | 0 | 0 | 0 | 0 | dlq 0 |" in rendered


def test_small_runs_do_not_reach_the_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "figures.jsonl"
    monkeypatch.setattr(figures, "FIGURES_FILE", out)
    monkeypatch.setattr(figures, "FULL", False)
    figures.record(figures.Figure("1 kill", "small", sent=10))
    assert report._latest_full(out) == {}


@pytest.mark.parametrize(("lost", "doubled"), [(1, 0), (0, 1)])
def test_a_loss_or_a_double_fails_after_the_line_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lost: int, doubled: int
) -> None:
    out = tmp_path / "figures.jsonl"
    monkeypatch.setattr(figures, "FIGURES_FILE", out)
    with pytest.raises(AssertionError):
        figures.record(figures.Figure("2 kill", "x", sent=5, lost=lost, doubled=doubled))
    assert out.exists()
