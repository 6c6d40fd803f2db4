"""The published rules that nominate a month's red and black lists (settings, returned by
``GET /red-black-lists/rules``; each version stores the rules it was nominated by)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RedBlackRules(BaseModel):
    """A merchant is nominated for the black list when any black rule holds, else for the red list
    when every red rule holds; otherwise it is on neither. Figures are the monthly analysis' (the
    month's complaints about the merchant's orders, in the calendar's zone)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    black_min_complaints: int = Field(default=10, ge=1, description="Black: at least this many complaints.")
    black_min_major: int = Field(default=1, ge=1, description="Black: at least this many major complaints.")
    black_min_breaches: int = Field(
        default=3, ge=1, description="Black: at least this many §4.4 public replies late (clock breached)."
    )
    red_max_complaints: int = Field(default=3, ge=0, description="Red: at most this many complaints.")
    red_min_public_complaints: int = Field(
        default=1, ge=0, description="Red: at least this many public (forum, Weibo) complaints answered (§4.4)."
    )
    red_min_on_time_percent: float = Field(
        default=100.0, ge=0, le=100, description="Red: §4.4 replies on time ÷ §4.4 clocks stopped, at least (%)."
    )
    decide_by_day: int = Field(
        default=10, ge=1, le=28, description="§4: decided by the end of this day of the next month (clock §4.6)."
    )
