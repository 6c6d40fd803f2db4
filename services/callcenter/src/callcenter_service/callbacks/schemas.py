"""What the callback queue's API takes and gives."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from aftersales_chassis import Day, Instant

from .kinds import TaskKind


def normalise_phone(value: str) -> str:
    """One spelling per number, so that do-not-call matches every path: digits and a leading +."""
    digits = re.sub(r"[\s\-().]", "", value)
    if not re.fullmatch(r"\+?\d{5,20}", digits):
        raise ValueError("a phone number is 5 to 20 digits, optionally after a +")
    return digits


Phone = Annotated[str, Field(min_length=5, max_length=32, examples=["13800138000"]), AfterValidator(normalise_phone)]


class TaskIn(BaseModel):
    """A signup, list entry or other call to make (§7.2). ``source`` names where it comes from;
    one task per (source, the kind's step), so a resend returns the task already open."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"kind": "new_signup", "source": "signup:S-1001", "phone": "13800138000",
                                         "customer_name": "Wang", "requested_at": "2026-11-24T10:05:00+08:00"}]},
    )  # fmt: skip
    kind: TaskKind
    source: str = Field(min_length=1, max_length=128, description="e.g. `signup:S-1001`, `event:E-7:C-42`.")
    phone: Phone
    customer_id: str | None = Field(default=None, max_length=64)
    customer_name: str = Field(default="", max_length=200)
    order_id: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=2000)
    requested_at: Instant | None = Field(default=None, description="When the customer asked (default: now).")
    event_date: Day | None = Field(default=None, description="The event's day (event signups and post-event lists).")


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    priority_class: str
    priority: int
    source: str
    source_step: str
    state: str
    phone: str
    customer_id: str | None
    customer_name: str
    order_id: str | None
    note: str
    customer_flag: str | None = Field(description="E3: a malicious-review flag from reviews; handle with care.")
    requested_at: datetime
    not_before: datetime
    due_at: datetime
    due_rule: str
    attempts: int
    unanswered: int
    lease_holder: str | None
    lease_expires_at: datetime | None
    summary: str | None
    event_date: date | None
    attending: bool | None
    party_size: int | None
    closed_at: datetime | None
    closed_by: str | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str] = Field(default_factory=list, description="What the current state allows.")


class ClaimOut(BaseModel):
    """A lease on one task: report its outcome with ``lease_token`` before ``lease_expires_at``."""

    task: TaskOut
    lease_token: int
    lease_expires_at: datetime
    calling_window_override: uuid.UUID | None = Field(description="The supervisor override the claim relied on.")


class OutcomeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"lease_token": 17, "outcome": "reached",
                                         "summary": "Confirmed receipt; happy with the tea"}]},
    )  # fmt: skip
    lease_token: int = Field(ge=1)
    outcome: Literal["no_answer", "reached", "unreachable"]
    summary: str | None = Field(default=None, max_length=4000, description="Required when reached.")
    attending: bool | None = Field(default=None, description="Event signups, when reached: will they come?")
    party_size: int | None = Field(default=None, ge=1, le=20, description="Expected attendees, when attending.")


class DoNotCallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Phone
    reason: str = Field(min_length=1, max_length=500, examples=["Customer asked not to be called"])


class DoNotCallOut(BaseModel):
    phone: str
    reason: str
    recorded_by: str
    recorded_at: datetime
    closed_tasks: int = Field(description="Open tasks of this phone closed by this request.")


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: Instant
    ends_at: Instant
    reason: str = Field(min_length=1, max_length=500, examples=["Evening campaign: calls until 20:00"])


class OverrideOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str
    recorded_by: str
    recorded_at: datetime


class ClassQueue(BaseModel):
    priority_class: str
    open: int
    leased: int
    waiting: int = Field(description="Not callable yet (before their not-before time).")
    at_risk: int
    breached: int
    next_due_at: datetime | None


class QueueOut(BaseModel):
    as_of: datetime
    at_risk_minutes: int
    classes: list[ClassQueue]


class AttendanceOut(BaseModel):
    """Event signups (§7.2) of one event: how many were reached, will come, and with how many."""

    event_date: date
    signups: int
    reached: int
    attending: int
    expected_attendees: int
