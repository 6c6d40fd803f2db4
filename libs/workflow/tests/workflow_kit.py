"""A small aggregate and its table for the workflow tests (a parcel-like thing, not a service's)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from aftersales_calendar import WallClock
from aftersales_chassis import Grant, Role
from aftersales_sla import PolicyBook, SlaPolicy
from aftersales_workflow import NEW, Workflow, on

POLICIES = PolicyBook(
    "tickets",
    [
        SlaPolicy("C1", "accept", WallClock(timedelta(hours=24)), WallClock(timedelta(hours=4)), "agent", "a", "b"),
        SlaPolicy(
            "C2", "investigate", WallClock(timedelta(hours=24)), WallClock(timedelta(hours=4)), "warehouse", "a", "b"
        ),
    ],
)


class CaseState(StrEnum):
    accepted = "accepted"
    investigating = "investigating"
    remedied = "remedied"
    closed = "closed"


S = CaseState
CASE_FLOW = Workflow(
    "case",
    CaseState,
    [
        on("open", "C1", [NEW], S.accepted, by=[Role.agent], starts=["C1"]),
        on("open", "C1", [NEW], S.closed, by=[Role.agent], outcome="nothing-to-do"),
        on("investigate", "C2", [S.accepted], S.investigating, by=[Role.agent], stops=["C1"], starts=["C2"]),
        on("note", "C2", [S.investigating], None, by=[Role.warehouse, Role.agent]),
        on(
            "remedy",
            "C3",
            [S.investigating],
            S.remedied,
            by=[Grant(Role.agent, "remedy:grant"), Role.supervisor],
            stops=["C2"],
            rule="C3.after-investigation",
        ),
        on("close", "C3A", [S.accepted, S.remedied], S.closed, by=[Role.supervisor], stops=["C1"]),
    ],
    policies=POLICIES,
)


@dataclass
class Case:
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    state: str | None = None
    updated_at: datetime | None = None
