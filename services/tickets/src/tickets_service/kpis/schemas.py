"""What the KPI routes take and give."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Bucket = Literal["day", "week", "month", "quarter"]


class RefundFollowUpIn(BaseModel):
    """Seed 002 (4): the agent followed up a refund request (the caller is the agent)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"order_id": "TB-20261124-0007", "outcome": "retained", "note": "size swap"}]},
    )
    order_id: str = Field(min_length=1, max_length=64)
    outcome: Literal["retained", "refunded", "unreachable"] = Field(
        description="retained: the customer kept the order (no refund)."
    )
    note: str = Field(default="", max_length=2_000)


class RefundFollowUpOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    order_id: str
    outcome: str
    note: str
    agent: str
    followed_at: datetime


class StepOnTime(BaseModel):
    stopped: int
    on_time: int
    rate: float | None


class AgentKpis(BaseModel):
    """One agent's figures in one bucket; a rate with no denominator is null."""

    agent: str
    bucket_start: str = Field(description="The bucket's first local day (YYYY-MM-DD).")
    inquiries: int
    reception_volume: int
    converted: int
    inquiry_conversion: float | None
    replied: int
    reply_rate: float | None
    first_reply_seconds_avg: float | None
    converted_order_minor_total: int
    average_order_value_minor: int | None
    refund_follow_ups: int
    refunds_retained: int
    refund_retention_rate: float | None
    clocks_stopped: int
    clocks_on_time: int
    on_time_rate: float | None
    on_time_by_step: dict[str, StepOnTime]
    ratings: int
    satisfied: int
    csat: float | None
    csat_meets_target: bool | None


class KpiReport(BaseModel):
    zone: str
    bucket: Bucket
    from_day: str
    to_day: str
    agent: str | None = Field(description="The agent shown (an agent always sees their own); null: all agents.")
    formulas: dict[str, str]
    targets: dict[str, float]
    rows: list[AgentKpis]
