"""What the red/black list API takes and gives (§4)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .rules import RedBlackRules


class RulesOut(BaseModel):
    rules: RedBlackRules
    description: str


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    merchant_id: str
    nominated: str | None = Field(description="What the rules nominated: red, black; null: added in review.")
    basis: str = Field(description="The rule that nominated it (with the figure), or the reviewer's note.")
    standing: str = Field(description="red, black, or none (reviewed off the list).")
    complaints: int
    major: int
    public_complaints: int
    merchant_breaches: int
    on_time_percent: float | None
    note: str
    reviewed_by: str | None
    reviewed_at: datetime | None


class ListOut(BaseModel):
    id: uuid.UUID
    month: str
    version: int
    state: str = Field(description="nominated (under review, §4.6 running) or decided (immutable).")
    rules: dict[str, Any] = Field(description="The published rules it was nominated by.")
    supersedes_version: int | None
    reason: str | None = Field(description="A correction's reason.")
    nominated_by: str
    nominated_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    due_at: datetime = Field(description="§4.6: decided by then (the end of the 10th of the next month).")
    entries: list[EntryOut]


class ListSummary(BaseModel):
    id: uuid.UUID
    month: str
    version: int
    state: str
    supersedes_version: int | None
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None


class ReviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"standing": "none", "note": "complaints were the courier's, not the merchant's"}]
        },
    )
    standing: Literal["red", "black", "none"]
    note: str = Field(min_length=1, max_length=500)


class CorrectionLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    merchant_id: str = Field(min_length=1, max_length=64)
    standing: Literal["red", "black", "none"]
    note: str = Field(min_length=1, max_length=500)


class CorrectionIn(BaseModel):
    """A decided list is never changed: a correction is a new version, decided at once, that
    supersedes the latest (its audit: who, when, why, and what it superseded)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "M-007's complaints were found to be the courier's (K2)",
                    "changes": [{"merchant_id": "M-007", "standing": "none", "note": "courier liable"}],
                }
            ]
        },
    )
    reason: str = Field(min_length=1, max_length=500)
    changes: list[CorrectionLine] = Field(min_length=1, max_length=500)


class StandingOut(BaseModel):
    """A merchant's own standing on the month's decided list (the latest version)."""

    merchant_id: str
    month: str
    version: int
    standing: str = Field(description="red, black, or none (on neither list).")
    decided_at: datetime
    complaints: int | None
    public_complaints: int | None
    merchant_breaches: int | None
    on_time_percent: float | None
