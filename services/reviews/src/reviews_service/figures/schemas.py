"""What the figures API gives."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ProductRating(BaseModel):
    sku: str
    ratings: int
    average: float
    status: Literal["follow_up", "ok", "too_few_ratings"]
    reason: str = Field(description="Why: below the threshold, at or above it, or too few ratings to judge.")


class ProductRatings(BaseModel):
    window_start: date
    window_end: date
    window_days: int
    min_ratings: int
    threshold: float
    zone: str
    products: list[ProductRating]


class FollowUpOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    sku: str
    window_days: int
    window_start: date
    window_end: date
    ratings: int
    average: float
    threshold: float
    state: str
    created_by: str
    created_at: datetime


class MarketplaceFigures(BaseModel):
    """DSR-style shop figures (Taobao's 描述相符 / 服务态度 / 物流服务, 1 to 5)."""

    marketplace: str
    reviews: int
    average_stars: float | None
    good: int
    neutral: int
    negative: int
    dsr_ratings: int
    dsr_description: float | None
    dsr_service: float | None
    dsr_logistics: float | None


class ShopFigures(BaseModel):
    window_start: date
    window_end: date
    zone: str
    marketplaces: list[MarketplaceFigures]


class CallFigures(BaseModel):
    open_cases: dict[str, int] = Field(description="Open cases by path (awaiting_call before the call).")
    calls_due: int = Field(description="24 h calls due in the last 30 days.")
    called_on_time: int
    on_time_ratio: float
    breaches: int
