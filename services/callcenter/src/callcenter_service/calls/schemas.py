"""What the call log's API takes and gives."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aftersales_chassis import Instant

from ..callbacks.schemas import Phone


class CallEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    call_id: str = Field(min_length=1, max_length=64)
    kind: Literal["offered", "answered", "abandoned", "missed_outside_hours"]
    at: Instant
    phone: Phone
    wait_seconds: int | None = Field(default=None, ge=0, le=86400, description="How long the caller waited.")


class CallEventsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"events": [
            {"call_id": "PBX-1", "kind": "offered", "at": "2026-11-24T10:01:00+08:00", "phone": "13800138000"},
            {"call_id": "PBX-1", "kind": "abandoned", "at": "2026-11-24T10:01:40+08:00", "phone": "13800138000",
             "wait_seconds": 40},
        ]}]},
    )  # fmt: skip
    events: list[CallEventIn] = Field(min_length=1, max_length=1000)


class CallEventsOut(BaseModel):
    accepted: int = Field(description="Events new to the log.")
    duplicates: int = Field(description="Events already in the log (resent): no effect.")


class CallOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    call_id: str
    phone: str
    status: str
    started_at: datetime
    business_day: date
    answered_at: datetime | None
    ended_at: datetime | None
    wait_seconds: int | None
    missed: bool
    swept_at: datetime | None
    callback_task_id: uuid.UUID | None
    complaint_owner: str | None


class LossRateOut(BaseModel):
    """The call-loss rate (呼损率) of one business day, with the formula and threshold in force."""

    day: date
    offered: int
    answered: int
    not_answered: int
    short_abandons_left_out: int
    rate_percent: float | None = Field(description="None when no call was offered.")
    limit_percent: float
    breached: bool
    formula: str
    short_abandon_seconds: int


class ComplaintCallIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"owner": "lin", "summary": "Parcel arrived crushed, wants a refund",
                                         "order_id": "TB-20261123-0001"}]},
    )  # fmt: skip
    owner: str = Field(min_length=1, max_length=64, description="The named agent who owns the complaint.")
    summary: str = Field(min_length=1, max_length=2000)
    order_id: str | None = Field(default=None, max_length=64)
    customer_id: str | None = Field(default=None, max_length=64)
    category: str = Field(default="", max_length=64)
