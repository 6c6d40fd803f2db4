"""What the orders API gives."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    order_id: str = Field(examples=["TB-20261123-0001"])
    customer_id: str | None
    phone: str | None
    merchant_id: str | None
    currency: str | None
    total_minor: int | None
    paid_minor: int | None = Field(description="The paid price: Z4's cap on all remedies for the order.")
    placed_at: datetime | None
    paid_at: datetime | None
