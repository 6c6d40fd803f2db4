"""Malicious reviews: E1 → E2 with a reason from the fixed list and evidence stored behind the
port (its type read from the bytes), the marketplace's outcome once (upheld leaves the figures),
E3 CustomerFlagged and the case closed."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens

from ..kit import act, bad_case, events_of

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 32


def _evidence(data: bytes = PNG, name: str = "chat.png") -> dict[str, Any]:
    return {"filename": name, "content_base64": base64.b64encode(data).decode()}


async def _malicious(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock) -> dict[str, Any]:
    case = await bad_case(client, tokens, clock.now(), stars=1, customer_id="C-BAD", text="refund me or else")
    return await act(client, tokens, case["id"], "call", {"finding": "malicious", "note": "demands a refund"})


async def test_reported_with_evidence_decided_and_the_customer_flagged(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, database: Database
) -> None:
    case = await _malicious(client, tokens, clock)
    assert case["state"] == "malicious"
    body = {"reason": "extortion", "note": "asked for money to remove it", "evidence": [_evidence()]}
    reported = await client.post(f"/cases/{case['id']}/report", json=body, headers=tokens.headers(Role.agent))
    assert reported.status_code == 201, reported.text
    report = reported.json()
    assert (report["outcome"], report["reason"], report["marketplace_ref"][:13]) == (
        "pending",
        "extortion",
        "taobao-appeal",
    )
    [evidence] = report["evidence"]
    assert (evidence["content_type"], evidence["size"], evidence["filename"]) == ("image/png", len(PNG), "chat.png")
    stored = await client.get(f"/reports/{report['id']}/evidence/{evidence['id']}", headers=tokens.headers(Role.agent))
    assert (stored.status_code, stored.content) == (200, PNG)

    decided = await client.post(
        f"/reports/{report['id']}/outcome",
        json={"outcome": "upheld"},
        headers=tokens.headers(Role.service, subject="gateway"),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["outcome"] == "upheld"
    again = await client.post(
        f"/reports/{report['id']}/outcome", json={"outcome": "rejected"}, headers=tokens.headers(Role.supervisor)
    )
    assert again.status_code == 409

    flagged = await act(client, tokens, case["id"], "flag", {"note": "handle with care"})
    assert flagged["id"] == report["id"]
    closed = (await client.get(f"/cases/{case['id']}", headers=tokens.headers(Role.agent))).json()
    assert (closed["state"], closed["outcome"], closed["allowed_actions"]) == ("flagged", "flagged", [])
    events = await events_of(database, case["id"])
    assert [n for n, _ in events] == ["ReviewCallRequested", "CustomerFlagged", "ReviewCaseClosed"]
    flag = events[1][1]
    assert (flag["customer_id"], flag["reason"], flag["note"], flag["flagged_by"]) == (
        "C-BAD",
        "extortion",
        "handle with care",
        "ann",
    )


async def test_a_report_needs_a_listed_reason_and_real_evidence(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case = await _malicious(client, tokens, clock)
    path, agent = f"/cases/{case['id']}/report", tokens.headers(Role.agent)
    for body in (
        {"reason": "extortion", "note": "x", "evidence": []},
        {"reason": "i-dont-like-it", "note": "x", "evidence": [_evidence()]},
        {"reason": "extortion", "note": "x", "evidence": [{"content_base64": "not base64!"}]},
    ):
        refused = await client.post(path, json=body, headers=agent)
        assert refused.status_code == 422, refused.text
    text_file = await client.post(
        path,
        json={"reason": "abusive", "note": "x", "evidence": [_evidence(b"just some text", "a.txt")]},
        headers=agent,
    )
    assert text_file.status_code == 422
    assert (text_file.json()["rule"], text_file.json()["field"]) == (
        "E2.evidence.type",
        "body.evidence[0].content_base64",
    )
    # Nothing was half-written: the case is still waiting for its report.
    assert (await client.get(f"/cases/{case['id']}", headers=agent)).json()["state"] == "malicious"
    assert (await client.get(f"{path}", headers=agent)).status_code == 404


async def test_only_a_malicious_case_is_reported_and_flagged_after_the_report(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case = await bad_case(client, tokens, clock.now())
    body = {"reason": "competitor", "note": "x", "evidence": [_evidence()]}
    early = await client.post(f"/cases/{case['id']}/report", json=body, headers=tokens.headers(Role.agent))
    assert early.status_code == 409
    malicious = await _malicious(client, tokens, clock)
    assert (await act(client, tokens, malicious["id"], "flag", {"note": "x"}, status=409))[
        "current_state"
    ] == "malicious"
    for role in (Role.customer, Role.finance):
        denied = await client.post(f"/cases/{malicious['id']}/report", json=body, headers=tokens.headers(role))
        assert denied.status_code == 403
