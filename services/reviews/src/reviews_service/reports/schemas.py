"""What the reports API takes and gives."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .models import ReportReason

# A little over 10 MiB of bytes as base64 (the storage port refuses more with its own rule).
_MAX_BASE64 = 14 * 1024 * 1024


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str | None = Field(default=None, max_length=200, examples=["chat-screenshot.png"])
    content_base64: str = Field(
        min_length=1, max_length=_MAX_BASE64, description="The file's bytes, base64 (photo, PDF or MP4)."
    )

    @field_validator("content_base64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as bad:
            raise ValueError("must be base64") from bad
        return value

    def content(self) -> bytes:
        return base64.b64decode(self.content_base64)


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: ReportReason = Field(examples=["extortion"])
    note: str = Field(min_length=1, max_length=2000, examples=["Asked for a full refund to remove the review"])
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=10, description="At least one piece of evidence.")


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["upheld", "rejected"]
    note: str = Field(default="", max_length=1000)


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=2000, examples=["Seeks refunds by threatening bad reviews"])


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    key: str
    content_type: str
    size: int
    sha256: str
    filename: str | None


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    marketplace: str
    reason: str
    note: str
    outcome: str
    marketplace_ref: str
    reported_by: str
    reported_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    evidence: list[EvidenceOut] = Field(default_factory=list)
    allowed_actions: list[str] = Field(default_factory=list)
