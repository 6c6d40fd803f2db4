"""E-mail intake (§4): the raw RFC 5322 message an MTA pipe or an IMAP poller hands over, read
with the standard library (``email.policy.default`` decodes RFC 2047 encoded-word headers),
bodies decoded from their charset (GB2312 and GBK read as GB18030, their superset, since mail
labelled GB2312 routinely carries GBK characters), attachments kept through the attachment
port, and a reply threaded into the complaint it answers by In-Reply-To/References."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import cast

from aftersales_chassis import Principal, RuleViolation
from aftersales_chassis.storage import AttachmentPolicy, AttachmentStore, StoredAttachment, check_attachment

from .intake import Arrival
from .models import Channel, ComplaintState
from .new_rows import ComplaintRecord
from .schemas import Sender
from .service import ComplaintService

RULE = "§4.email-rfc5322"
MAX_EMAIL_BYTES = 25 * 1024 * 1024  # what the common mail providers accept per message
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_TAG = re.compile(r"<[^>]*>")
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
EMAIL_ATTACHMENTS = AttachmentPolicy(rule_prefix="§4.email-attachment")


@dataclass
class ParsedEmail:
    message_id: str
    sender: Sender
    sent_at: datetime
    subject: str
    body: str
    answers: list[str]  # Message-IDs it replies to, the most direct first
    attachments: list[tuple[str | None, bytes]] = field(default_factory=list)


def _refuse(detail: str, field_name: str = "body") -> RuleViolation:
    return RuleViolation(RULE, detail, field=field_name)


def _text_of(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    charset = (part.get_content_charset() or "utf-8").lower()
    try:
        text = raw.decode(_SUPERSETS.get(charset, charset), errors="replace")
    except LookupError:  # a charset Python does not know: keep what UTF-8 can read
        text = raw.decode("utf-8", errors="replace")
    if part.get_content_subtype() == "html":
        text = _TAG.sub("", text)
    return text.strip()


def parse_email(raw: bytes) -> ParsedEmail:
    """The message, or a 422 naming what makes it not RFC 5322 (no From, no Date, a Date
    without a zone, headers that do not parse)."""
    try:
        return _parse(raw)
    except (ValueError, TypeError, LookupError, AttributeError, UnicodeError) as error:
        # The parser is lenient, but a malformed part or parameter can still raise while it is
        # read: whatever it is, the message is not one we can take.
        raise _refuse(f"not an RFC 5322 message: {error}") from error


def _parse(raw: bytes) -> ParsedEmail:
    if len(raw) > MAX_EMAIL_BYTES:
        raise RuleViolation(
            "§4.email-size", f"the message is {len(raw)} bytes; at most {MAX_EMAIL_BYTES}", field="body"
        )
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not message.keys():
        raise _refuse("not an RFC 5322 message: no header fields")
    try:
        sender = message["From"]
        date = message["Date"]
    except (ValueError, TypeError, IndexError) as error:  # a header the parser cannot read
        raise _refuse(f"not an RFC 5322 message: {error}") from error
    addresses = getattr(sender, "addresses", ())
    if not addresses or not (addresses[0].addr_spec or addresses[0].display_name):
        raise _refuse("an RFC 5322 message needs a From header with an address", "header.From")
    sent_at = getattr(date, "datetime", None)
    if sent_at is None:
        raise _refuse("an RFC 5322 message needs a Date header", "header.Date")
    if sent_at.tzinfo is None:
        raise _refuse("the Date header has no zone (-0000): the time cannot be placed", "header.Date")
    declared = str(message.get("Message-ID", "")).strip()
    # Without a Message-ID (RFC 5322 only recommends one) the bytes themselves identify a resend.
    message_id = declared or f"<sha256-{hashlib.sha256(raw).hexdigest()}@tickets.invalid>"
    answers = _MESSAGE_ID.findall(str(message.get("In-Reply-To", "")))
    answers += reversed(_MESSAGE_ID.findall(str(message.get("References", ""))))
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = _text_of(cast(EmailMessage, body_part)) if body_part is not None else ""
    attachments = [
        (part.get_filename(), payload)
        for part in message.iter_attachments()
        if isinstance(payload := part.get_payload(decode=True), bytes)
    ]
    first = addresses[0]
    return ParsedEmail(
        message_id=message_id,
        sender=Sender(handle=first.addr_spec[:200], name=first.display_name[:200]),
        sent_at=sent_at,
        subject=str(message.get("Subject", ""))[:200],
        body=body or "(no text)",
        answers=list(dict.fromkeys(answers)),
        attachments=attachments,
    )


async def take_email(
    service: ComplaintService, store: AttachmentStore, raw: bytes, actor: Principal
) -> tuple[ComplaintRecord, bool]:
    """The complaint the e-mail opened (True), or the one it was threaded into or resent to (False)."""
    mail = parse_email(raw)
    for index, (_, data) in enumerate(mail.attachments):  # refuse before anything is stored
        check_attachment(data, EMAIL_ATTACHMENTS, field_name=f"body.attachments[{index}]")
    repository = service.repository
    await repository.lock(f"complaint-intake:{Channel.email}:{mail.message_id}")
    resent = await repository.complaint_of_email([mail.message_id])
    if resent is not None:
        return await repository.get(resent), False
    stored: list[StoredAttachment] = [
        await store.put(data, policy=EMAIL_ATTACHMENTS, filename=name, field_name=f"body.attachments[{index}]")
        for index, (name, data) in enumerate(mail.attachments)
    ]
    arrival = Arrival(
        channel=Channel.email,
        sender=mail.sender,
        body=mail.body,
        received_at=service.clock.now(),  # recorded the moment it reaches us (the Date is the sender's)
        subject=mail.subject,
        channel_message_id=mail.message_id,
        email_message_id=mail.message_id,
        attachments=stored,
    )
    answered = await repository.complaint_of_email(mail.answers)
    if answered is not None:
        thread = await repository.get(answered, for_update=True)
        while thread.state == ComplaintState.merged and thread.merged_into is not None:
            thread = await repository.get(thread.merged_into, for_update=True)  # into the complaint it became
        if thread.state != ComplaintState.closed:
            await service.customer_message(thread, arrival, actor)
            return thread, False
    return await service.intake.record(arrival, actor)
