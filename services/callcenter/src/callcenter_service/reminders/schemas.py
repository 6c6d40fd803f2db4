"""What the reminders API takes and gives."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ..callbacks.schemas import Phone


class ReminderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    order_id: str
    step: str
    channel: str
    state: str
    send_after: datetime
    due_at: datetime
    sent_at: datetime | None
    sent_channel: str | None
    message: str | None


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, examples=["Impulse order: the customer does not want it"])


class ScriptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=1000, examples=["Your order {order_id} is waiting for payment."])


class ScriptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    channel: str
    text: str
    updated_by: str
    updated_at: datetime


class OptOutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Phone
