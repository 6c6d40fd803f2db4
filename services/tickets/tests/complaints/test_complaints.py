"""Complaints through the API (§4): handed over by a channel gateway or recorded by an agent,
linked to what the order read model knows, worked on (owner, reply, close, reopen) through
the transition table, read back by whom it belongs to; the roles and the states refuse what
they must."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens, assert_next_page_differs

from ..kit import clocks_of, events_of, feed, hand_over, message, paid_order, unique


async def test_a_gateway_hands_over_a_complaint_linked_to_its_order_and_a_resend_is_the_same_one(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order_id = unique("TB")
    await feed(app, *paid_order(order_id, customer="C-42", merchant="M-7", paid=12900, at=clock.now()))
    body = message("wechat", order_id=order_id)
    created = await hand_over(client, tokens, body)
    assert created["state"] == "open"
    assert (created["customer_id"], created["merchant_id"], created["paid_minor"], created["order_known"]) == (
        "C-42", "M-7", 12900, True,
    )  # fmt: skip
    assert created["received_at"] == "2026-11-24T02:00:00Z"
    assert created["created_at"] == clock.now().isoformat().replace("+00:00", "Z")

    clock.advance(timedelta(minutes=3))
    resent = await hand_over(client, tokens, body, expect=200)
    assert resent["id"] == created["id"]
    opened = await events_of(app, created["id"], "ComplaintOpened")
    assert [(e["order_id"], e["merchant_id"], e["channel"]) for e in opened] == [(order_id, "M-7", "wechat")]

    clocks = await clocks_of(client, tokens, created["id"])
    assert set(clocks) == {"§4.2", "§4.3"}  # no merchant clock off the public channels
    assert clocks["§4.2"]["due_at"] == "2026-11-24T03:00:00Z"  # a named owner within 1 h
    assert clocks["§4.3"]["due_at"] == "2026-11-24T04:00:00Z"  # a first reply within 2 h


async def test_an_unknown_order_is_kept_as_given(client: httpx.AsyncClient, tokens: Tokens) -> None:
    created = await hand_over(client, tokens, message("shop_chat", order_id="NOT-KNOWN-1",
                                                      sender={"customer_id": "C-9"}))  # fmt: skip
    assert (created["order_id"], created["order_known"], created["merchant_id"], created["customer_id"]) == (
        "NOT-KNOWN-1", False, None, "C-9",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "telegram"}, "body.channel"),
        ({"sender": None}, "body.sender"),
        ({"sender": {}}, "body.sender"),
        ({"sender": {"handle": "  "}}, "body.sender"),
        ({"received_at": "2026-11-24T10:00:00"}, "body.received_at"),
        ({"body": ""}, "body.body"),
        ({"channel_message_id": ""}, "body.channel_message_id"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, tokens: Tokens, change: dict[str, object], field: str
) -> None:
    body = message("weibo") | change
    if change.get("sender", "") is None:
        del body["sender"]
    refused = await client.post("/complaints/intake", json=body, headers=tokens.headers(Role.service))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in refused.json()["errors"]]
    listed = await client.get("/complaints", params={"limit": 200}, headers=tokens.headers(Role.supervisor))
    assert body["channel_message_id"] not in [c["channel_message_id"] for c in listed.json()["items"]]


async def test_roles_are_enforced_both_ways(client: httpx.AsyncClient, tokens: Tokens) -> None:
    assert (await client.post("/complaints/intake", json=message())).status_code == 401
    for role in (Role.agent, Role.customer, Role.merchant, Role.finance):
        assert (
            await client.post("/complaints/intake", json=message(), headers=tokens.headers(role))
        ).status_code == 403
    by_hand = {"channel": "phone", "sender": {"customer_id": "C-1"}, "body": "two tins missing"}
    for role in (Role.customer, Role.merchant, Role.service, Role.warehouse):
        assert (await client.post("/complaints", json=by_hand, headers=tokens.headers(role))).status_code == 403
    recorded = await client.post("/complaints", json=by_hand, headers=tokens.headers(Role.agent, subject="ann"))
    assert recorded.status_code == 201, recorded.text
    assert (recorded.json()["created_by"], recorded.json()["channel_message_id"]) == ("ann", None)
    assert (await client.get("/complaints", headers=tokens.headers(Role.qc))).status_code == 403


async def test_a_complaint_is_owned_replied_closed_and_reopened_with_its_history(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    record = await hand_over(client, tokens, message("email"))
    path = f"/complaints/{record['id']}"
    agent = tokens.headers(Role.agent, subject="ann")
    assert record["allowed_actions"] == ["assign", "reply", "merchant_reply", "wait", "prioritise", "merge", "close"]

    clock.advance(timedelta(minutes=20))
    owned = await client.post(f"{path}/assign", json={}, headers=agent)
    assert (owned.json()["state"], owned.json()["owner"]) == ("assigned", "ann")
    clock.advance(timedelta(minutes=20))
    replied = await client.post(f"{path}/reply", json={"body": "您好，已为您补发。"}, headers=agent)
    assert replied.json()["first_replied_at"] == clock.now().isoformat().replace("+00:00", "Z")
    clocks = await clocks_of(client, tokens, record["id"])
    assert (clocks["§4.2"]["outcome"], clocks["§4.3"]["outcome"]) == ("met", "met")

    closed = await client.post(f"{path}/close", json={"resolution": "resent"}, headers=agent)
    assert (closed.json()["state"], closed.json()["allowed_actions"]) == ("closed", ["reopen"])
    again = await client.post(f"{path}/close", json={"resolution": "again"}, headers=agent)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/invalid-transition")
    assert (again.json()["current_state"], again.json()["allowed_actions"]) == ("closed", ["reopen"])
    assert [e["resolution"] for e in await events_of(app, record["id"], "ComplaintClosed")] == ["resent"]

    reopened = await client.post(f"{path}/reopen", json={"reason": "tins still missing"}, headers=agent)
    assert (reopened.json()["state"], reopened.json()["owner"], reopened.json()["closed_at"]) == (
        "assigned",
        "ann",
        None,
    )
    assert len(await events_of(app, record["id"], "ComplaintOpened")) == 2

    history = (await client.get(f"{path}/history", headers=agent)).json()
    assert [(h["action"], h["step"], h["from_state"], h["to_state"], h["actor"]) for h in history] == [
        ("open", "§4", None, "open", "gw-email"),
        ("assign", "§4.2", "open", "assigned", "ann"),
        ("reply", "§4.3", "assigned", "assigned", "ann"),
        ("close", "§4", "assigned", "closed", "ann"),
        ("reopen", "§4", "closed", "assigned", "ann"),
    ]
    messages = (await client.get(f"{path}/messages", headers=agent)).json()
    assert [(m["direction"], m["body"]) for m in messages] == [
        ("in", "收到的茶叶包装破了。"),
        ("out", "您好，已为您补发。"),
    ]


async def test_a_public_complaint_runs_the_merchants_clock_and_only_that_merchant_answers(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order_id = unique("TB")
    await feed(app, *paid_order(order_id, customer="C-5", merchant="M-5", paid=5000, at=clock.now()))
    record = await hand_over(client, tokens, message("forum", order_id=order_id))
    path = f"/complaints/{record['id']}"
    assert (record["priority"], record["priority_rule"]) == ("high", "public-channel")
    clocks = await clocks_of(client, tokens, record["id"])
    # 1 wd from Tuesday 10:00 Shanghai: Wednesday 10:00 (02:00 UTC).
    assert (clocks["§4.4"]["due_at"], clocks["§4.4"]["kind"]) == ("2026-11-25T02:00:00Z", "working")

    other = tokens.headers(Role.merchant, subject="m-other", merchant_id="M-6")
    assert (await client.post(f"{path}/merchant-reply", json={"body": "x"}, headers=other)).status_code == 404
    assert (await client.get(path, headers=other)).status_code == 404
    assert (
        await client.post(f"{path}/merchant-reply", json={"body": "x"}, headers=tokens.headers(Role.agent))
    ).status_code == 403

    own = tokens.headers(Role.merchant, subject="m-5", merchant_id="M-5")
    assert (await client.get(path, headers=own)).status_code == 200
    answered = await client.post(f"{path}/merchant-reply", json={"body": "已联系顾客处理"}, headers=own)
    assert answered.status_code == 200, answered.text
    assert answered.json()["merchant_replied_at"] is not None
    assert (await clocks_of(client, tokens, record["id"]))["§4.4"]["outcome"] == "met"
    listed = await client.get("/complaints", headers=own)
    assert {c["merchant_id"] for c in listed.json()["items"]} == {"M-5"}
    asked_own = await client.get("/complaints", params={"merchant_id": "M-5", "order_id": order_id}, headers=own)
    assert [c["id"] for c in asked_own.json()["items"]] == [record["id"]]
    asked_other = await client.get("/complaints", params={"merchant_id": "M-6"}, headers=own)
    assert asked_other.json()["items"] == []  # another merchant's: nothing, not their own instead


async def test_a_customer_sees_their_own_complaints_only(client: httpx.AsyncClient, tokens: Tokens) -> None:
    customer = unique("C")
    mine = await hand_over(client, tokens, message("wechat", sender={"customer_id": customer}))
    theirs = await hand_over(client, tokens, message("wechat", sender={"customer_id": unique("C")}))
    headers = tokens.headers(Role.customer, subject=customer)
    assert (await client.get(f"/complaints/{mine['id']}", headers=headers)).status_code == 200
    assert (await client.get(f"/complaints/{theirs['id']}", headers=headers)).status_code == 404
    assert (await client.get(f"/complaints/{theirs['id']}/history", headers=headers)).status_code == 404
    listed = await client.get("/complaints", headers=headers)
    assert [c["id"] for c in listed.json()["items"]] == [mine["id"]]
    assert (
        await client.post(f"/complaints/{mine['id']}/close", json={"resolution": "x"}, headers=headers)
    ).status_code == 403


async def test_the_list_pages_and_filters(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order_id = unique("TB")
    for channel in ("weibo", "shop_chat", "weibo"):
        await hand_over(client, tokens, message(channel, order_id=order_id, sender={"handle": unique("h")}))
    staff = tokens.headers(Role.agent)
    await assert_next_page_differs(client, "/complaints", staff)
    listed = await client.get("/complaints", params={"order_id": order_id, "channel": "weibo"}, headers=staff)
    assert [(c["channel"], c["order_id"]) for c in listed.json()["items"]] == [("weibo", order_id)] * 2
    high = await client.get("/complaints", params={"order_id": order_id, "priority": "high"}, headers=staff)
    assert len(high.json()["items"]) == 2
    assert (await client.get("/complaints", params={"channel": "fax"}, headers=staff)).status_code == 422


async def test_the_list_sorts_newest_first_and_narrows_to_a_customer_and_a_window(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    customer = unique("C")
    made = [
        await hand_over(client, tokens, message("wechat", order_id=unique("TB"), sender={"customer_id": customer},
                                                received_at=f"2026-11-24T{hour}:00:00+08:00"))
        for hour in (10, 11, 12)
    ]  # fmt: skip
    ids = [c["id"] for c in made]
    staff = tokens.headers(Role.agent)

    async def listed(headers: dict[str, str], **params: str | int) -> list[str]:
        answer = await client.get("/complaints", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return [c["id"] for c in answer.json()["items"]]

    assert await listed(staff, customer_id=customer) == ids
    assert await listed(staff, customer_id=customer, sort="-received_at") == ids[::-1]
    first = await client.get("/complaints", params={"customer_id": customer, "sort": "-received_at", "limit": 2},
                             headers=staff)  # fmt: skip
    cursor = first.json()["next_cursor"]
    assert [c["id"] for c in first.json()["items"]] == [ids[2], ids[1]]
    assert await listed(staff, customer_id=customer, sort="-received_at", limit=2, cursor=cursor) == [ids[0]]
    window = {"received_from": "2026-11-24T11:00:00+08:00", "received_to": "2026-11-24T04:00:00Z"}  # 11:00–12:00
    assert await listed(staff, customer_id=customer, **window) == [ids[1]]

    own = tokens.headers(Role.customer, subject=customer)
    assert await listed(own, customer_id=customer) == ids
    other = unique("C")
    theirs = await hand_over(client, tokens, message("wechat", order_id=unique("TB"), sender={"customer_id": other}))
    assert await listed(tokens.headers(Role.customer, subject=other)) == [theirs["id"]]
    assert await listed(tokens.headers(Role.customer, subject=other), customer_id=customer) == []  # not theirs

    for bad in ({"received_from": "2026-11-24T11:00:00"}, {"sort": "priority"}):
        refused = await client.get("/complaints", params=bad, headers=staff)
        assert refused.status_code == 422, refused.text
        assert next(iter(bad)) in refused.text
