"""What the ratings intake takes and gives."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from aftersales_chassis.dates import Instant

SATISFIED_FROM = 4
"""A score of 4 or 5 of 5 is satisfied (满意 / 非常满意)."""

Score = Annotated[int, Field(strict=True, ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")]


class RatingIn(BaseModel):
    """The customer's rating after a contact, handed over by the channel that asked (role service).
    A resend of the same `(channel, channel_rating_id)` is the same rating."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "shop_chat",
                    "channel_rating_id": "ww-rating-88123",
                    "contact_type": "inquiry",
                    "contact_id": "0b6f6c1e-3f57-4a7e-9d7c-2b1f3f0e4a11",
                    "agent": "alice",
                    "customer_id": "C-42",
                    "score": 5,
                    "comment": "回复很快",
                    "rated_at": "2026-11-24T10:20:00+08:00",
                }
            ]
        },
    )
    channel: Literal["shop_chat", "phone", "wechat", "email", "sms", "other"]
    channel_rating_id: str = Field(min_length=1, max_length=200)
    contact_type: Literal["inquiry", "complaint", "case", "call", "other"]
    contact_id: str = Field(min_length=1, max_length=200, description="The inquiry, complaint, case or call rated.")
    agent: str = Field(min_length=1, max_length=64, description="The agent who served the contact.")
    customer_id: str | None = Field(default=None, max_length=64)
    score: Score
    comment: str = Field(default="", max_length=2_000)
    rated_at: Instant


class RatingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    channel: str
    channel_rating_id: str
    contact_type: str
    contact_id: str
    agent: str
    customer_id: str | None
    score: int
    satisfied: bool = Field(default=False, description=f"score ≥ {SATISFIED_FROM}")
    comment: str
    rated_at: datetime
    recorded_by: str
    recorded_at: datetime
