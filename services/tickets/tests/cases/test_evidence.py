"""Evidence through the attachment port (ADR 0020): multipart uploads typed by their bytes and
size-limited, a row per upload; served back only to staff and the customer the case belongs to."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.storage import MAX_EVIDENCE_BYTES
from aftersales_chassis.testing import Tokens

from .kit import open_case, png_bytes, post, upload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_the_customer_and_staff_upload_and_read_it_back(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case = await open_case(client, tokens, "C", customer_id="C-7")
    cid, owner = case["id"], tokens.headers(Role.customer, subject="C-7")
    photo = await upload(client, owner, cid, png_bytes(), name="parcel.jpg")  # the name says jpg: the bytes win
    assert photo.status_code == 201, photo.text
    assert (photo.json()["content_type"], photo.json()["size"], photo.json()["filename"]) == (
        "image/png", len(png_bytes()), "parcel.jpg",
    )  # fmt: skip
    assert (photo.json()["sha256"], photo.json()["uploaded_by"], photo.json()["step"]) == (
        hashlib.sha256(png_bytes()).hexdigest(), "C-7", "C1",
    )  # fmt: skip
    clock.advance(timedelta(minutes=1))
    scan = await upload(client, tokens.headers(Role.agent, subject="ann"), cid, PDF, name="waybill.pdf")
    assert scan.json()["content_type"] == "application/pdf"

    for reader in (owner, tokens.headers(Role.agent), tokens.headers(Role.warehouse), tokens.headers(Role.qc)):
        listed = await client.get(f"/cases/{cid}/evidence", headers=reader)
        assert [a["filename"] for a in listed.json()] == ["parcel.jpg", "waybill.pdf"]
        got = await client.get(f"/cases/{cid}/evidence/{photo.json()['id']}", headers=reader)
        assert got.status_code == 200
        assert (got.content, got.headers["content-type"]) == (png_bytes(), "image/png")


async def test_nobody_else_sees_it(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await open_case(client, tokens, "K", customer_id="C-7")
    cid = case["id"]
    aid = (await upload(client, tokens.headers(Role.customer, subject="C-7"), cid)).json()["id"]
    stranger = tokens.headers(Role.customer, subject="C-8")
    for path in (f"/cases/{cid}/evidence", f"/cases/{cid}/evidence/{aid}", f"/cases/{cid}/status"):
        assert (await client.get(path, headers=stranger)).status_code == 404, path
    assert (await upload(client, stranger, cid)).status_code == 404
    merchant = tokens.headers(Role.merchant, merchant_id="M-001")
    assert (await client.get(f"/cases/{cid}/evidence/{aid}", headers=merchant)).status_code == 403
    assert (await client.get(f"/cases/{cid}/evidence/{aid}")).status_code == 401
    other = await open_case(client, tokens, "C", customer_id="C-7")
    # an attachment is read through its own case only
    crossed = await client.get(f"/cases/{other['id']}/evidence/{aid}", headers=tokens.headers(Role.agent))
    assert crossed.status_code == 404


async def test_what_is_not_evidence_is_refused_naming_the_rule(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await open_case(client, tokens, "P")
    cid, agent = case["id"], tokens.headers(Role.agent)
    windows_program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
    for data, rule in (
        (windows_program, "evidence.type"),
        (b"just some text, named .png", "evidence.type"),
        (b"", "evidence.not-empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_EVIDENCE_BYTES, "evidence.size"),
    ):
        refused = await upload(client, agent, cid, data, name="photo.png")
        assert refused.status_code == 422, (rule, refused.text)
        assert (refused.json()["rule"], refused.json()["field"]) == (rule, "body.file")
    missing = await client.post(f"/cases/{cid}/evidence", headers=agent)
    assert missing.status_code == 422
    assert (await client.get(f"/cases/{cid}/evidence", headers=agent)).json() == []


async def test_an_ended_case_takes_no_more_evidence(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await open_case(client, tokens, "C")
    await post(client, f"/cases/{case['id']}/close", tokens.headers(Role.agent), {"reason": "withdrawn"})
    late = await upload(client, tokens.headers(Role.customer, subject="C-42"), case["id"])
    assert (late.status_code, late.json()["rule"]) == (409, "evidence.case-open")
