"""Bodies of the refund-request API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Where the customer asked: the shop frontend, or the seed's confirmation channels (phone, QQ, Wangwang).
Channel = Literal["shop", "wangwang", "phone", "qq", "email", "other"]


class RefundRequestIn(BaseModel):
    """The customer asks for their money back on an order; T1's 24 h start now."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"order_id": "TB-20261123-0001", "reason": "no longer needed",
                                         "channel": "wangwang"}]},
    )  # fmt: skip
    order_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500, description="The customer's reason, in their words.")
    channel: Channel = Field(default="shop", description="Where the customer asked.")


class RouteIn(BaseModel):
    """T1: the server reads the order's status; the agent only says whose reason it is."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason_party": "customer", "note": "checked with SF"}]}
    )
    reason_party: Literal["customer", "shop"] = Field(
        default="customer", description="Whose reason it is, carried to the cancellation of an unshipped order."
    )
    note: str | None = Field(default=None, max_length=500)


class AgreeIn(BaseModel):
    """T1A1: what was agreed (reason, items, quantity, amount, courier, freight), in words."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "2 × SKU-TEA-250G, 129.00, SF pick-up, shop pays"}]}
    )
    note: str | None = Field(default=None, max_length=500)


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "customer keeps the goods"}]})
    reason: str = Field(min_length=1, max_length=500)


class RefundRequestOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0b8a3c52-5f8e-4c3e-9a57-0d1f0f6c1a11",
                    "order_id": "TB-20261123-0001",
                    "state": "negotiating",
                    "reason": "no longer needed",
                    "channel": "wangwang",
                    "order_status": "shipped",
                    "cancellation_id": None,
                    "return_id": None,
                    "created_by": "agent-li",
                    "created_at": "2026-11-23T02:00:00Z",
                    "routed_by": "agent-li",
                    "routed_at": "2026-11-23T03:00:00Z",
                    "closed_by": None,
                    "closed_at": None,
                    "updated_at": "2026-11-23T03:00:00Z",
                    "allowed_actions": ["file", "withdraw"],
                }
            ]
        },
    )
    id: uuid.UUID
    order_id: str
    state: str
    reason: str
    channel: str
    order_status: str | None = Field(description="The order's status T1 found.")
    cancellation_id: uuid.UUID | None = Field(description="Not shipped: the cancellation T1 opened (T1B1).")
    return_id: uuid.UUID | None = Field(description="Shipped: the return filed for it (T1A2).")
    created_by: str
    created_at: datetime
    routed_by: str | None
    routed_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    updated_at: datetime
    allowed_actions: list[str] = Field(
        description="`route` (T1), `file` (T1A2: `POST /returns` with `refund_request_id`), `withdraw`."
    )
