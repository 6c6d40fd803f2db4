"""What the inquiries API takes and gives (PROCESSES.md §1)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from aftersales_chassis.dates import Instant

from .models import InquiryChannel, InquiryOutcome, InquiryState

Sku = Annotated[str, Field(min_length=1, max_length=64)]
TellVia = Literal["chat", "sms", "phone", "email"]


class InquiryIntakeIn(BaseModel):
    """A1 · a customer's question in the shop chat, handed over by the gateway (role service).
    A resend of the same `(channel, channel_message_id)` is the same inquiry."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "shop_chat",
                    "channel_message_id": "ww-20261124-000123",
                    "asked_at": "2026-11-24T10:00:00+08:00",
                    "customer_id": "C-42",
                    "customer_handle": "tea_lover_88",
                    "products": ["SKU-TEA-250G"],
                    "question": "这款茶叶是今年的新茶吗？",
                    "agent": "alice",
                    "first_reply_at": "2026-11-24T10:00:40+08:00",
                }
            ]
        },
    )
    channel: InquiryChannel = InquiryChannel.shop_chat
    channel_message_id: str = Field(min_length=1, max_length=200)
    asked_at: Instant = Field(description="When the customer asked (with a UTC offset).")
    customer_id: str = Field(min_length=1, max_length=64, description="The shop's customer (buyer) id.")
    customer_handle: str = Field(default="", max_length=200)
    products: list[Sku] = Field(default_factory=list, max_length=50, description="SKUs asked about.")
    question: str = Field(min_length=1, max_length=20_000)
    agent: str = Field(min_length=1, max_length=64, description="The agent who served the customer.")
    first_reply_at: Instant | None = Field(default=None, description="The agent's first reply, if already sent.")


class InquiryIn(BaseModel):
    """A1 · an agent records an inquiry by hand (a call, a WeChat message): served by the caller."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "phone",
                    "asked_at": "2026-11-24T10:00:00+08:00",
                    "customer_id": "C-42",
                    "products": ["SKU-TEA-250G", "SKU-CUP-01"],
                    "question": "Is the cup dishwasher-safe?",
                }
            ]
        },
    )
    channel: InquiryChannel = InquiryChannel.phone
    asked_at: Instant | None = Field(default=None, description="Default: now.")
    customer_id: str = Field(min_length=1, max_length=64)
    customer_handle: str = Field(default="", max_length=200)
    products: list[Sku] = Field(default_factory=list, max_length=50)
    question: str = Field(min_length=1, max_length=20_000)
    first_reply_at: Instant | None = None


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"at": "2026-11-24T10:00:40+08:00"}]})
    at: Instant | None = Field(default=None, description="When the agent first replied (default: now). First wins.")


class DetailQuestionIn(BaseModel):
    """A3 · the customer asked about a detail the product page does not give: 24 h to answer,
    and the customer is told when and how the answer will come."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "杯子的杯口直径是多少？页面上没有标。", "promised_via": "chat"}]},
    )
    question: str = Field(min_length=1, max_length=5_000)
    promised_via: TellVia = Field(description="How the customer was told the answer will come.")


class DetailAnswerIn(BaseModel):
    """A3 · the answer, and when and how the customer was told it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"answer": "杯口直径 8.5 cm。", "told_via": "chat", "told_at": "2026-11-24T15:00:00+08:00"}]
        },
    )
    answer: str = Field(min_length=1, max_length=5_000)
    told_via: TellVia
    told_at: Instant | None = Field(default=None, description="Default: now.")


class FailIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "price: found it 15 yuan cheaper elsewhere"}]}
    )
    reason: str = Field(min_length=1, max_length=2_000, description="Why it did not convert (kept for analysis).")


class FollowUpIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"outcome": "will_order", "note": "waiting for payday, orders Friday"}]},
    )
    outcome: InquiryOutcome
    note: str = Field(default="", max_length=2_000)


class InquiryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    state: InquiryState
    channel: InquiryChannel
    channel_message_id: str | None
    customer_id: str
    customer_handle: str
    products: list[str]
    question: str
    agent: str
    asked_at: datetime
    first_reply_at: datetime | None
    conversion_window_days: int
    converts_until: datetime = Field(description="The end of the conversion window (asked_at + the window).")
    converted_order_id: str | None
    converted_at: datetime | None
    converted_order_minor: int | None
    failure_reason: str | None
    failed_by: str | None
    failed_at: datetime | None
    detail_question: str | None
    detail_asked_at: datetime | None
    detail_promised_via: str | None
    detail_answer: str | None
    detail_answered_by: str | None
    customer_told_at: datetime | None
    customer_told_via: str | None
    followed_up_at: datetime | None
    followed_up_by: str | None
    follow_up_outcome: str | None
    follow_up_note: str | None
    recorded_by: str
    recorded_at: datetime
    updated_at: datetime
    allowed_actions: list[str] = []


class ConversionRuleOut(BaseModel):
    """The conversion rule in force (§1, §10: a setting the API says)."""

    window_days: int = Field(description="TICKETS_INQUIRY_CONVERSION_DAYS (default 4: the pre-sale cycle).")
    rule: str
