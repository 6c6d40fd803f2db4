"""What a complaint's use cases build before writing it: its messages (with their
attachments) and the events it publishes. Pure: nothing here touches the session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from aftersales_chassis import Principal
from aftersales_chassis.storage import StoredAttachment
from aftersales_events.catalogue.tickets import ComplaintClosed, ComplaintOpened, MajorComplaintRaised

from .models import Complaint, ComplaintAttachment, ComplaintMessage
from .new_rows import ComplaintRecord, NewMessage


def opened_event(record: ComplaintRecord) -> ComplaintOpened:
    return ComplaintOpened(
        complaint_id=record.id,
        order_id=record.order_id,
        merchant_id=record.merchant_id,
        channel=record.channel,
        category=record.priority_rule,
        opened_at=record.received_at,
    )


def closed_event(record: Complaint, at: datetime) -> ComplaintClosed:
    return ComplaintClosed(
        complaint_id=record.id, order_id=record.order_id, resolution=record.resolution or "", closed_at=at
    )


def major_event(record: ComplaintRecord, actor: Principal, rule: str, at: datetime) -> MajorComplaintRaised:
    return MajorComplaintRaised(
        complaint_id=record.id, order_id=record.order_id, merchant_id=record.merchant_id,
        customer_id=record.customer_id, channel=record.channel, priority=record.priority, rule=rule,
        raised_by=actor.subject, raised_at=at,
    )  # fmt: skip


def new_message(
    record: Complaint,
    direction: str,
    author: str,
    body: str,
    *,
    at: datetime,
    email_message_id: str | None = None,
    attachments: list[StoredAttachment] | None = None,
) -> tuple[ComplaintMessage, list[ComplaintAttachment]]:
    """A message of the complaint and the rows of its stored attachments."""
    message = ComplaintMessage(
        id=uuid.uuid4(), complaint_id=record.id, direction=direction, channel=record.channel,
        author=author, body=body, email_message_id=email_message_id, at=at,
    )  # fmt: skip
    return message, attachment_rows(message, attachments or (), at)


def first_message(
    record: ComplaintRecord, author: str, body: str, *, at: datetime, email_message_id: str | None
) -> NewMessage:
    """The message a new complaint arrived with (not yet written: ``insert_new`` writes it)."""
    return NewMessage(
        id=uuid.uuid4(), complaint_id=record.id, direction="in", channel=record.channel,
        author=author, body=body, email_message_id=email_message_id, at=at,
    )  # fmt: skip


def attachment_rows(
    message: ComplaintMessage | NewMessage, attachments: Sequence[StoredAttachment], at: datetime
) -> list[ComplaintAttachment]:
    """The rows of a message's stored attachments."""
    return [
        ComplaintAttachment(
            id=uuid.uuid4(),
            complaint_id=message.complaint_id,
            message_id=message.id,
            storage_key=a.key,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            filename=a.filename,
            at=at,
        )
        for a in attachments
    ]
