"""Order facts from the shop's order system, taken in by the returns service's intake
(role ``service``) and published once so every service keeps its own read model.
See docs/adr/0006-order-facts-intake.md."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import EventPayload, event
from .money import CurrencyCode, MinorUnits


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str
    title: str = ""
    quantity: int
    unit_price_minor: MinorUnits


class CustomerContact(BaseModel):
    """Personal data: carried in events for read models, masked in logs."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = ""
    phone: str = ""
    address: str = ""


class OrderFact(EventPayload):
    order_id: str
    shop_event_id: str = Field(description="The order system's own event id (the intake dedupes on it).")
    occurred_at: datetime
    merchant_id: str | None = None


@event("returns", "OrderPlaced", step="B1")
class OrderPlaced(OrderFact):
    """The shop's order system recorded an order (unpaid until OrderPaid)."""

    customer_id: str
    contact: CustomerContact = CustomerContact()
    lines: list[OrderLine]
    total_minor: MinorUnits
    currency: CurrencyCode
    channel: str = "shop"


@event("returns", "OrderPaid", step="B1")
class OrderPaid(OrderFact):
    """The customer paid the order."""

    paid_minor: MinorUnits
    currency: CurrencyCode


@event("returns", "OrderShipped")
class OrderShipped(OrderFact):
    """The order left the warehouse with a courier."""

    courier: str
    tracking_number: str


@event("returns", "OrderSignedFor", step="A8")
class OrderSignedFor(OrderFact):
    """The courier reports the parcel signed for (A8's follow-up counts from here)."""


@event("returns", "OrderCancelled", step="§6.4")
class OrderCancelled(OrderFact):
    """The order system cancelled the order."""

    reason: str = ""
    by: Literal["customer", "shop", "system"] = "shop"
