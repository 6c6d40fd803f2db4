"""Order facts as the shop's order system posts them (one fact per request)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from aftersales_chassis import Amount, Instant, Quantity


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=500)


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str = Field(min_length=1, max_length=64)
    title: str = Field(default="", max_length=200)
    quantity: Quantity
    unit_price_minor: Amount


class FactBase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shop_event_id: str = Field(min_length=1, max_length=128, description="The order system's event id.")
    order_id: str = Field(min_length=1, max_length=64)
    occurred_at: Instant = Field(description="With a UTC offset; naive timestamps are rejected.")


class PlacedIn(FactBase):
    kind: Literal["placed"]
    merchant_id: str | None = Field(default=None, max_length=64)
    customer_id: str = Field(min_length=1, max_length=64)
    contact: ContactIn = ContactIn()
    lines: list[OrderLineIn] = Field(min_length=1, max_length=200)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    channel: str = Field(default="shop", max_length=32)


class PaidIn(FactBase):
    kind: Literal["paid"]
    paid_minor: Amount


class ShippedIn(FactBase):
    kind: Literal["shipped"]
    courier: str = Field(min_length=1, max_length=64)
    tracking_number: str = Field(min_length=1, max_length=64)


class SignedIn(FactBase):
    kind: Literal["signed"]


class CancelledIn(FactBase):
    kind: Literal["cancelled"]
    reason: str = Field(default="", max_length=500)
    by: Literal["customer", "shop", "system"] = "shop"


OrderFactIn = Annotated[PlacedIn | PaidIn | ShippedIn | SignedIn | CancelledIn, Field(discriminator="kind")]


class FactOut(BaseModel):
    shop_event_id: str
    order_id: str
    outcome: Literal["applied", "duplicate"]
    order_status: str


class OrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    sku: str
    title: str
    quantity: int
    unit_price_minor: int


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    order_id: str
    merchant_id: str | None
    customer_id: str
    status: str
    currency: str
    total_minor: int
    paid_minor: int
    courier: str | None
    tracking_number: str | None
    lines: list[OrderLineOut]
