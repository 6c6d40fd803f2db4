from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales_calendar import WallClock, WorkingDays, WorkingHours


def test_describe_and_kind() -> None:
    assert WallClock(timedelta(hours=24)).describe() == "24 h"
    assert WorkingHours(timedelta(hours=2)).describe() == "2 working h"
    assert WorkingHours(timedelta(minutes=90)).describe() == "90 working min"
    assert WorkingDays(3).describe() == "3 wd"
    assert WallClock(timedelta(hours=1)).kind == "wall"
    assert WorkingHours(timedelta(hours=1)).kind == "working"
    assert WorkingDays(1).kind == "working"


def test_kinds_are_distinct() -> None:
    assert WallClock(timedelta(hours=2)) != WorkingHours(timedelta(hours=2))


def test_negative_or_wrong_types_are_refused() -> None:
    with pytest.raises(ValueError):
        WallClock(timedelta(hours=-1))
    with pytest.raises(ValueError):
        WorkingHours(2)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        WorkingDays(-1)
    with pytest.raises(ValueError):
        WorkingDays(True)
