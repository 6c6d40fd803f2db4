"""SLA durations: three distinct kinds, so a wall-clock span never passes for working time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar, Literal

DurationKind = Literal["wall", "working"]


def _hours_text(delta: timedelta, unit: str) -> str:
    seconds = delta.total_seconds()
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)} {unit}h"
    if seconds % 60 == 0:
        return f"{int(seconds // 60)} {unit}min"
    return f"{seconds:g} {unit}s"


@dataclass(frozen=True)
class WallClock:
    """Plain elapsed time ("24 h"): nights, weekends and holidays count."""

    delta: timedelta
    kind: ClassVar[DurationKind] = "wall"

    def __post_init__(self) -> None:
        if not isinstance(self.delta, timedelta) or self.delta < timedelta(0):
            raise ValueError("WallClock needs a non-negative timedelta")

    def describe(self) -> str:
        return _hours_text(self.delta, "")


@dataclass(frozen=True)
class WorkingHours:
    """Working time only ("2 working h"): closed periods are skipped."""

    delta: timedelta
    kind: ClassVar[DurationKind] = "working"

    def __post_init__(self) -> None:
        if not isinstance(self.delta, timedelta) or self.delta < timedelta(0):
            raise ValueError("WorkingHours needs a non-negative timedelta")

    def describe(self) -> str:
        return _hours_text(self.delta, "working ")


@dataclass(frozen=True)
class WorkingDays:
    """N working days ("3 wd"), PROCESSES.md §10: same clock time N working days later."""

    days: int
    kind: ClassVar[DurationKind] = "working"

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 0:
            raise ValueError("WorkingDays needs a non-negative int")

    def describe(self) -> str:
        return f"{self.days} wd"


Duration = WallClock | WorkingHours | WorkingDays
