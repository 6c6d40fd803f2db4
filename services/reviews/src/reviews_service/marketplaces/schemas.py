"""What the marketplaces API takes and gives."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AmendPolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allowed: bool = Field(description="Whether staff may ask a reviewer to amend (W3) on this marketplace.")
    max_requests: int = Field(ge=0, le=10, description="Requests per review (Taobao: 1).", examples=[1])
    window_days: int = Field(ge=0, le=365, description="Days after the review they may be made in.", examples=[30])

    @model_validator(mode="after")
    def _allowed_needs_room(self) -> AmendPolicyIn:
        if self.allowed and (self.max_requests == 0 or self.window_days == 0):
            raise ValueError("an allowed amendment needs max_requests and window_days of at least 1")
        return self


class AmendPolicyOut(BaseModel):
    marketplace: str
    allowed: bool
    max_requests: int
    window_days: int
    source: Literal["published", "operator"] = Field(
        description="`published`: the marketplace's own rule (the adapter's); `operator`: set here."
    )
    updated_by: str | None = None
    updated_at: datetime | None = None
