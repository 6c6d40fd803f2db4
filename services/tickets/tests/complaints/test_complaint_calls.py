"""§7.1 → §4: a call the call centre recorded as a complaint (InboundComplaintCall) is a phone
complaint here, routed at once to the person the call floor named (USERONLY until §4.5 runs
out), recorded when it was called; once per call id, whichever path brings the call."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events.catalogue.callcenter import InboundComplaintCall
from aftersales_events.testing import consumer_record, wrap

from ..kit import clocks_of, feed, hand_over, message, paid_order, unique

CALLED = datetime(2026, 11, 24, 1, 55, tzinfo=UTC)  # 09:55 in Shanghai, five minutes before the test's now


def _call(call_id: str, *, owner: str = "lin", order_id: str | None = None, **kw: Any) -> InboundComplaintCall:
    return InboundComplaintCall.model_validate(
        {"call_id": call_id, "phone": "13800138000", "owner": owner, "description": "茶叶罐压扁了，要退款",
         "order_id": order_id, "category": "damaged", "recorded_by": "agent-zhou", "called_at": CALLED,
         "recorded_at": CALLED, **kw}
    )  # fmt: skip


async def _complaints_of(client: httpx.AsyncClient, tokens: Tokens, order_id: str) -> list[dict[str, Any]]:
    page = await client.get("/complaints", params={"order_id": order_id}, headers=tokens.headers(Role.supervisor))
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def test_a_complaint_call_is_a_phone_complaint_routed_to_the_named_owner(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = unique("TB-CALL")
    await feed(app, *paid_order(order, customer="C-88", merchant="M-007", paid=12900, at=CALLED))
    call = _call(unique("call"), order_id=order)
    record = consumer_record(wrap(call, subject=call.call_id))
    assert await app.state.consumer.process(record) == "applied"
    assert await app.state.consumer.process(record) == "duplicate"
    # The same call again in another envelope (published twice): still the one complaint.
    assert await app.state.consumer.process(consumer_record(wrap(call, subject=call.call_id))) == "applied"
    [complaint] = await _complaints_of(client, tokens, order)
    assert (complaint["channel"], complaint["state"], complaint["routed_to"], complaint["owner"]) == (
        "phone", "routed", "lin", None,
    )  # fmt: skip
    assert (complaint["customer_id"], complaint["merchant_id"], complaint["created_by"]) == (
        "C-88", "M-007", "callcenter",
    )  # fmt: skip
    assert complaint["received_at"].startswith("2026-11-24T01:55:00")
    assert complaint["subject"] == f"damaged (call {call.call_id}, recorded by agent-zhou)"
    assert "§4.5" in await clocks_of(client, tokens, complaint["id"])

    path = f"/complaints/{complaint['id']}"
    refused = await client.post(f"{path}/accept", headers=tokens.headers(Role.agent, subject="complaints-desk"))
    assert (refused.status_code, refused.json()["rule"]) == (403, "§4.5.routed-to")  # named: lin, not the desk
    accepted = await client.post(f"{path}/accept", headers=tokens.headers(Role.agent, subject="lin"))
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["state"], accepted.json()["owner"]) == ("assigned", "lin")


async def test_the_gateway_posting_the_same_call_finds_the_complaint_it_made(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = unique("TB-CALL")
    call = _call(unique("call"), order_id=order, customer_id="C-89")
    assert await app.state.consumer.process(consumer_record(wrap(call))) == "applied"
    [made] = await _complaints_of(client, tokens, order)
    again = await hand_over(
        client, tokens, message("phone", channel_message_id=call.call_id, sender={"handle": call.phone}), expect=200
    )
    assert again["id"] == made["id"]


async def test_a_call_without_an_owner_goes_to_the_dedicated_person(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = unique("TB-CALL")
    assert await app.state.consumer.process(consumer_record(wrap(_call(unique("call"), owner="", order_id=order)))) == (
        "applied"
    )
    [complaint] = await _complaints_of(client, tokens, order)
    assert (complaint["state"], complaint["routed_to"]) == ("routed", "complaints-desk")  # the setting's default
