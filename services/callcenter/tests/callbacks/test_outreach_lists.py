"""Outreach lists by CSV upload: low priority, once per list and phone, do-not-call skipped,
a bad file refused whole."""

from __future__ import annotations

import uuid

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens

from .kit import phone


async def test_an_outreach_list_is_imported_once_and_skips_do_not_call(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    first, second, blocked = phone(), phone(), phone()
    await client.post("/do-not-call", json={"phone": blocked, "reason": "x"}, headers=tokens.headers(Role.agent))
    text = f"\ufeffphone,name,note\r\n{first},Wang,October buyer\r\n{second},Li,\r\n{blocked},Zhao,\r\n"
    path = f"/callbacks/outreach-lists/L-{uuid.uuid4().hex[:6]}"
    headers = {**tokens.headers(Role.supervisor), "Content-Type": "text/csv"}
    made = await client.post(path, content=text.encode(), headers=headers)
    assert made.status_code == 200, made.text
    assert made.json() == {"created": 2, "already_listed": 0, "do_not_call": 1}
    again = await client.post(path, content=text.encode(), headers=headers)
    assert again.json() == {"created": 0, "already_listed": 2, "do_not_call": 1}
    listed = await client.get("/callbacks", params={"kind": "outreach", "limit": 200}, headers=headers)
    mine = [t for t in listed.json()["items"] if t["phone"] == first]
    assert [(t["priority_class"], t["customer_name"], t["note"]) for t in mine] == [("low", "Wang", "October buyer")]


async def test_a_bad_list_is_refused_whole_naming_the_line(client: httpx.AsyncClient, tokens: Tokens) -> None:
    good = phone()
    path = f"/callbacks/outreach-lists/L-{uuid.uuid4().hex[:6]}"
    headers = {**tokens.headers(Role.service), "Content-Type": "text/csv"}
    refused = await client.post(path, content=f"phone\r\n{good}\r\nnot a phone\r\n".encode(), headers=headers)
    assert (refused.status_code, refused.json()["rule"]) == (422, "§7.2.outreach-csv")
    assert [e["field"] for e in refused.json()["errors"]] == ["body.line[3].phone"]
    reader = tokens.headers(Role.supervisor)
    listed = await client.get("/callbacks", params={"kind": "outreach", "limit": 200}, headers=reader)
    assert all(t["phone"] != good for t in listed.json()["items"])  # nothing half-imported
    for body in (b"", b"name\r\nWang\r\n", b"\xff\xfe\x00bad", b"phone\r\n138\x0000\r\n"):
        assert (await client.post(path, content=body, headers=headers)).status_code == 422
    agent = {**tokens.headers(Role.agent), "Content-Type": "text/csv"}
    assert (await client.post(path, content=f"phone\r\n{good}\r\n".encode(), headers=agent)).status_code == 403
