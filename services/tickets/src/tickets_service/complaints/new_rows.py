"""The rows intake builds before it writes them (ADR 0032): a new complaint and its first
message as plain slotted objects, not ORM instances.

Intake never hands a new complaint to the session: it is written by one statement at the end
(`ComplaintRepository.insert_new`). An ORM instance would only cost its instrumentation,
which was half of a batch's CPU (the constructor and each attribute set fire SQLAlchemy's
change tracking, about 0.1 ms a complaint here). The fields are the tables' columns, by name;
a test keeps them equal to the tables'. A complaint read back from the database is the ORM
`Complaint` as ever; code that only reads one takes either (:data:`ComplaintRecord`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from .models import Channel, Complaint, ComplaintState, Priority


@dataclass(slots=True, kw_only=True)
class NewComplaint:
    """A `complaints` row not yet written. Defaults are what the database would store."""

    id: uuid.UUID
    state: ComplaintState
    channel: Channel
    channel_message_id: str | None
    subject: str
    body: str
    sender_name: str
    sender_handle: str
    customer_id: str | None
    order_id: str | None
    order_known: bool
    merchant_id: str | None
    paid_minor: int | None
    currency: str | None
    category: str | None
    brand: str | None
    priority: Priority
    priority_rule: str
    major: bool
    received_at: datetime
    created_by: str
    created_at: datetime
    updated_at: datetime
    owner: str | None = None
    routed_to: str | None = None
    waiting_reason: str | None = None
    waiting_since: datetime | None = None
    waiting_from: str | None = None
    merged_into: uuid.UUID | None = None
    resolution: str | None = None
    first_replied_at: datetime | None = None
    merchant_replied_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(slots=True, kw_only=True)
class NewMessage:
    """A `complaint_messages` row not yet written: the complaint's first message."""

    id: uuid.UUID
    complaint_id: uuid.UUID
    direction: str
    channel: str
    author: str
    body: str
    email_message_id: str | None
    at: datetime


ComplaintRecord = Complaint | NewComplaint
"""A complaint as code that reads it sees it: loaded (ORM) or just recorded (not yet written)."""
