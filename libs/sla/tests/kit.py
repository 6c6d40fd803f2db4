"""What the SLA tests share: a policy book of two test steps and the instant they start at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aftersales_calendar import WallClock, WorkingHours
from aftersales_sla import PolicyBook, SlaPolicy

# Tuesday 2026-11-24 10:00 in Shanghai: working time on an ordinary working day.
TUESDAY_10AM = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

POLICIES = PolicyBook(
    "tickets",
    [
        SlaPolicy(
            "C1",
            "wall-clock step",
            WallClock(timedelta(hours=1)),
            WallClock(timedelta(minutes=15)),
            role="agent",
            starts="test",
            stops="test",
        ),
        SlaPolicy(
            "C2",
            "working-time step",
            WorkingHours(timedelta(hours=2)),
            WorkingHours(timedelta(minutes=30)),
            role="agent",
            starts="test",
            stops="test",
        ),
    ],
)
