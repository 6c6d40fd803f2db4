"""What the complaints API takes and gives (PROCESSES.md §4)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aftersales_chassis.dates import Instant
from aftersales_chassis.openapi import ProblemDetail

from ..flags.schemas import CustomerFlagOut
from .models import Channel, Priority


class Sender(BaseModel):
    """Who complained, as the channel knows them: at least one of customer id, handle or name."""

    model_config = ConfigDict(extra="forbid")
    customer_id: str | None = Field(default=None, max_length=64, description="The shop's customer id, if known.")
    handle: str = Field(
        default="", max_length=200, description="The channel's address: phone number, WeChat openid, e-mail, @handle."
    )
    name: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _someone(self) -> Sender:
        if not (self.customer_id or self.handle.strip() or self.name.strip()):
            raise ValueError("a sender needs a customer_id, a handle or a name")
        return self


class IntakeIn(BaseModel):
    """A message a channel gateway received (role service). A resend of the same
    (channel, channel_message_id) is the same complaint."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "weibo",
                    "channel_message_id": "wb-4951234567",
                    "received_at": "2026-11-24T10:05:00+08:00",
                    "sender": {"handle": "@tea_lover", "name": "王女士", "customer_id": "C-42"},
                    "order_id": "TB-20261123-0001",
                    "subject": "茶叶包装破损",
                    "body": "收到的茶叶包装破了，客服一直不回复。",
                    "category": "tea",
                    "brand": "West Lake",
                }
            ]
        },
    )
    channel: Channel
    channel_message_id: str = Field(min_length=1, max_length=200)
    received_at: Instant = Field(description="When the channel received it (with a UTC offset).")
    sender: Sender
    order_id: str | None = Field(default=None, min_length=1, max_length=64)
    subject: str = Field(default="", max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    category: str | None = Field(
        default=None, min_length=1, max_length=64, description="§4 monthly analysis: the product category (品类)."
    )
    brand: str | None = Field(
        default=None, min_length=1, max_length=64, description="§4 monthly analysis: the brand (品牌), if known."
    )


MAX_BATCH = 200
"""Messages per `POST /complaints/intake:batch` (a gateway's backlog goes in several)."""

INTAKE_EXAMPLE = cast(dict[str, Any], IntakeIn.model_config["json_schema_extra"]["examples"][0])  # type: ignore[index]


class ComplaintBrief(BaseModel):
    """What a gateway needs back about the complaint a message made (`GET /complaints/{id}` has the rest)."""

    id: uuid.UUID
    state: str = Field(description="`merged` when it was folded into `merged_into` (the same customer and order).")
    merged_into: uuid.UUID | None
    priority: str
    major: bool


class BatchItemOut(BaseModel):
    """One message's outcome, what `POST /complaints/intake` would have answered for it alone."""

    index: int = Field(description="The message's position in the request, from 0.")
    channel_message_id: str | None = Field(description="As sent (null when the item carried none).")
    outcome: Literal["created", "resent", "rejected"] = Field(
        description="`created`: a new complaint (201 alone; merged ones too); `resent`: the complaint this "
        "(channel, channel_message_id) made before, in this batch or an earlier request (200 alone); "
        "`rejected`: refused, with its problem (422 alone), and nothing written for it."
    )
    status: int = Field(description="The status `POST /complaints/intake` answers for this message alone.")
    complaint: ComplaintBrief | None = Field(description="The complaint it made or had made; null when rejected.")
    problem: ProblemDetail | None = Field(
        description="Why it was refused (RFC 9457): `errors` names each field as `body[<index>].<field>`."
    )


class IntakeBatchOut(BaseModel):
    """Per-message outcome of a batch, in the request's order (207-style, sent with 200)."""

    results: list[BatchItemOut]
    created: int
    resent: int
    rejected: int


_BRIEF = {"state": "open", "merged_into": None, "priority": "normal", "major": False}
INTAKE_BATCH_REQUEST_EXAMPLE: list[dict[str, Any]] = [
    INTAKE_EXAMPLE,
    {**INTAKE_EXAMPLE, "channel": "wechat", "channel_message_id": "wx-20261124-0007",
     "sender": {"customer_id": "C-42"}},
    {**INTAKE_EXAMPLE, "channel_message_id": "wb-4951234568", "received_at": "2026-11-24T10:07:00"},
]  # fmt: skip
INTAKE_BATCH_EXAMPLE: dict[str, Any] = {
    "results": [
        {
            "index": 0, "channel_message_id": "wb-4951234567", "outcome": "created", "status": 201,
            "complaint": {"id": "5b7e0c1a-2f4d-4b8e-9c61-0d3e5f7a9b21", **_BRIEF}, "problem": None,
        },
        {
            "index": 1, "channel_message_id": "wx-20261124-0007", "outcome": "created", "status": 201,
            "complaint": {
                **_BRIEF, "id": "8c2d4e6f-1a3b-4c5d-8e7f-9a0b1c2d3e4f", "state": "merged",
                "merged_into": "5b7e0c1a-2f4d-4b8e-9c61-0d3e5f7a9b21",
            },
            "problem": None,
        },
        {
            "index": 2, "channel_message_id": "wb-4951234568", "outcome": "rejected", "status": 422,
            "complaint": None,
            "problem": {
                "type": "https://aftersales.dev/problems/validation-error", "title": "Request validation failed",
                "status": 422, "detail": "Invalid fields: body[2].received_at",
                "errors": [
                    {"field": "body[2].received_at", "message": "Input should have timezone info",
                     "code": "timezone_aware"},
                ],
            },
        },
    ],
    "created": 2,
    "resent": 0,
    "rejected": 1,
}  # fmt: skip


class ComplaintIn(BaseModel):
    """An agent records a complaint by hand (a call, a walk-in, a colleague's note): now."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "phone",
                    "sender": {"customer_id": "C-42", "handle": "13800138000"},
                    "order_id": "TB-20261123-0001",
                    "subject": "Two items missing",
                    "body": "Customer says two of the four tins are missing.",
                }
            ]
        },
    )
    channel: Channel
    sender: Sender
    order_id: str | None = Field(default=None, min_length=1, max_length=64)
    subject: str = Field(default="", max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    category: str | None = Field(
        default=None, min_length=1, max_length=64, description="§4 monthly analysis: the product category (品类)."
    )
    brand: str | None = Field(
        default=None, min_length=1, max_length=64, description="§4 monthly analysis: the brand (品牌), if known."
    )


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "customer confirmed"}]})
    reason: str = Field(min_length=1, max_length=500)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"owner": "ann"}]})
    owner: str | None = Field(
        default=None, min_length=1, max_length=64, description="Who owns it from now (default: the caller)."
    )


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"body": "您好，我们已安排补发。"}]})
    body: str = Field(min_length=1, max_length=20_000)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"resolution": "items resent"}]})
    resolution: str = Field(min_length=1, max_length=500)


class PriorityIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"priority": "urgent", "major": True, "reason": "customer contacted press"}]},
    )
    priority: Priority
    major: bool | None = Field(default=None, description="Flag (or unflag) a major complaint; unchanged if absent.")
    reason: str = Field(min_length=1, max_length=500)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into: uuid.UUID = Field(description="The complaint this one is folded into (same customer and order).")
    reason: str = Field(min_length=1, max_length=500)


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    direction: Literal["in", "out", "merchant"]
    channel: str
    author: str
    body: str
    email_message_id: str | None
    at: datetime


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    message_id: uuid.UUID
    content_type: str
    size: int
    filename: str | None
    at: datetime


class ComplaintOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    state: str
    channel: str
    channel_message_id: str | None
    subject: str
    body: str
    sender_name: str
    sender_handle: str
    customer_id: str | None
    order_id: str | None
    order_known: bool = Field(description="The order is one the shop's order system reported (linked).")
    merchant_id: str | None
    paid_minor: int | None = Field(description="What the customer paid for the order, if known.")
    currency: str | None
    category: str | None = Field(description="The product category (品类), if given.")
    brand: str | None = Field(description="The brand (品牌), if given.")
    priority: str
    priority_rule: str = Field(description="The rule that set the priority, or `supervisor`.")
    major: bool
    owner: str | None
    routed_to: str | None = Field(description="Phone: the dedicated person it waits for (§4.5).")
    waiting_reason: str | None
    waiting_since: datetime | None
    merged_into: uuid.UUID | None
    resolution: str | None
    received_at: datetime
    first_replied_at: datetime | None
    merchant_replied_at: datetime | None
    closed_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str] = Field(default_factory=list, description="What the current state allows.")
    customer_flags: list[CustomerFlagOut] = Field(
        default_factory=list,
        description="E3 (reviews): the customer was flagged for a malicious review; handle with care. "
        "Shown to staff on reads (`GET /complaints`, `/{id}`), never to the customer or merchant.",
    )
