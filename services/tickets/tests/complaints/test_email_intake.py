"""E-mail intake (§4): real messages built with the standard library's email package, with
GBK/GB2312 bodies, RFC 2047 encoded-word headers and attachments; replies threaded into the
complaint they answer; what is not RFC 5322 refused naming what is missing."""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import datetime, timedelta, timezone
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

SHANGHAI = timezone(timedelta(hours=8))
# 朱镕基: 镕 is in GBK but not in GB2312, and mail labelled gb2312 carries it all the same.
BODY = "您好，我是朱镕基先生的邻居。收到的茶叶包装破了，要求补发。"


def _png() -> bytes:
    """A real 1x1 PNG (its type is read from these bytes, not from the file name)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def complaint_mail(
    *, charset: str = "gb2312", attachment: bytes | None = None, reply_to: str | None = None, date: str | None = None
) -> tuple[bytes, str]:
    """A customer's e-mail as a mail client in China writes it: the body in GBK labelled
    ``charset``, the subject and the sender's name as encoded words."""
    message = MIMEMultipart()
    message["From"] = formataddr(("王小姐", "wang@example.cn"), charset="gbk")
    message["To"] = "kefu@shop.example"
    # As Chinese mail clients write it (Python's own Header names the charset eucgb2312_cn).
    message["Subject"] = f"=?GB2312?B?{base64.b64encode('投诉：茶叶包装破损'.encode('gb2312')).decode()}?="
    message["Date"] = date or format_datetime(datetime(2026, 11, 24, 9, 58, tzinfo=SHANGHAI))
    message_id = make_msgid(domain="mail.example.cn")
    message["Message-ID"] = message_id
    if reply_to is not None:
        message["In-Reply-To"] = reply_to
        message["References"] = reply_to
    text = MIMEText(BODY, "plain", "gbk")
    text.set_param("charset", charset)
    message.attach(text)
    if attachment is not None:
        part = MIMEApplication(attachment)
        part.add_header("Content-Disposition", "attachment", filename=("gbk", "", "破损照片.jpg"))
        message.attach(part)
    return message.as_bytes(), message_id


async def _post(client: httpx.AsyncClient, tokens: Tokens, raw: bytes) -> httpx.Response:
    return await client.post(
        "/complaints/intake/email",
        content=raw,
        headers={**tokens.headers(Role.service, subject="gw-email"), "Content-Type": "message/rfc822"},
    )


async def test_a_chinese_email_is_decoded_and_its_attachment_kept_by_its_content(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    raw, message_id = complaint_mail(attachment=_png())
    assert b"Subject: =?GB2312?B?" in raw  # the headers really are encoded words
    assert b"From: =?gbk?b?" in raw
    created = await _post(client, tokens, raw)
    assert created.status_code == 201, created.text
    record = created.json()
    assert (record["channel"], record["channel_message_id"], record["state"]) == ("email", message_id, "open")
    assert (record["subject"], record["body"]) == ("投诉：茶叶包装破损", BODY)
    assert (record["sender_name"], record["sender_handle"]) == ("王小姐", "wang@example.cn")
    assert record["received_at"] == clock.now().isoformat().replace("+00:00", "Z")

    staff = tokens.headers(Role.agent)
    [attachment] = (await client.get(f"/complaints/{record['id']}/attachments", headers=staff)).json()
    assert (attachment["content_type"], attachment["filename"]) == ("image/png", "破损照片.jpg")
    served = await client.get(f"/complaints/{record['id']}/attachments/{attachment['id']}", headers=staff)
    assert (served.content, served.headers["content-type"]) == (_png(), "image/png")
    stranger = tokens.headers(Role.customer, subject="someone-else")
    assert (
        await client.get(f"/complaints/{record['id']}/attachments/{attachment['id']}", headers=stranger)
    ).status_code == 404

    resent = await _post(client, tokens, raw)
    assert (resent.status_code, resent.json()["id"]) == (200, record["id"])


async def test_a_gbk_labelled_body_reads_as_well(client: httpx.AsyncClient, tokens: Tokens) -> None:
    created = await _post(client, tokens, complaint_mail(charset="gbk")[0])
    assert created.status_code == 201, created.text
    assert created.json()["body"] == BODY


async def test_a_reply_joins_the_complaint_it_answers_and_ends_the_wait(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    raw, message_id = complaint_mail()
    record = (await _post(client, tokens, raw)).json()
    agent = tokens.headers(Role.agent, subject="ann")
    path = f"/complaints/{record['id']}"
    await client.post(f"{path}/assign", json={}, headers=agent)
    waiting = await client.post(f"{path}/wait", json={"reason": "asked for a photo of the parcel"}, headers=agent)
    assert waiting.json()["state"] == "waiting"

    clock.advance(timedelta(minutes=30))
    reply, reply_id = complaint_mail(reply_to=message_id, attachment=_png())
    threaded = await _post(client, tokens, reply)
    assert threaded.status_code == 200, threaded.text
    assert (threaded.json()["id"], threaded.json()["state"]) == (record["id"], "assigned")
    messages = (await client.get(f"{path}/messages", headers=agent)).json()
    assert [(m["direction"], m["email_message_id"]) for m in messages] == [("in", message_id), ("in", reply_id)]
    history = (await client.get(f"{path}/history", headers=agent)).json()
    assert [(h["action"], h["actor"], h["reason"]) for h in history][-1] == (
        "resume",
        "gw-email",
        "the customer replied",
    )


async def test_what_is_not_rfc_5322_is_refused_naming_what_is_missing(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    cases = {
        b"hello, this is not an e-mail at all": "body",
        b"": "body",
        complaint_mail()[0].replace(b"Date:", b"X-Date:"): "header.Date",
        complaint_mail()[0].replace(b"From:", b"X-From:"): "header.From",
        complaint_mail(date="Tue, 24 Nov 2026 09:58:00 -0000")[0]: "header.Date",
    }
    for raw, field in cases.items():
        refused = await _post(client, tokens, raw)
        assert refused.status_code == 422, (raw[:40], refused.text)
        assert (refused.json()["rule"], refused.json()["field"]) == ("§4.email-rfc5322", field)


async def test_an_attachment_of_a_forbidden_type_refuses_the_message_and_writes_nothing(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    raw, message_id = complaint_mail(attachment=b"MZ\x90\x00" + b"\x00" * 200)  # a Windows executable
    refused = await _post(client, tokens, raw)
    assert refused.status_code == 422
    assert (refused.json()["rule"], refused.json()["field"]) == ("§4.email-attachment.type", "body.attachments[0]")
    listed = await client.get(
        "/complaints", params={"channel": "email", "limit": 200}, headers=tokens.headers(Role.agent)
    )
    assert message_id not in [c["channel_message_id"] for c in listed.json()["items"]]


async def test_only_the_gateway_hands_over_mail(client: httpx.AsyncClient, tokens: Tokens) -> None:
    raw = complaint_mail()[0]
    for role in (Role.agent, Role.customer, Role.merchant):
        refused = await client.post("/complaints/intake/email", content=raw, headers=tokens.headers(role))
        assert refused.status_code == 403
