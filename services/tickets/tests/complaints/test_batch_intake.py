"""A gateway's batch (§4, ADR 0023): many messages in one POST /complaints/intake:batch, each
what POST /complaints/intake makes of it alone (clocks, audit, ComplaintOpened), each with its
own outcome in the request's order; idempotent by (channel, channel_message_id) inside a batch
and across requests; a customer's second message about an order merged, inside the batch too;
a bad item refused with a problem naming its index and field while the good ones land."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from ..kit import clocks_of, events_of, feed, hand_over, message, paid_order, unique

BATCH = "/complaints/intake:batch"


async def _batch(client: httpx.AsyncClient, tokens: Tokens, items: list[Any], *, expect: int = 200) -> dict[str, Any]:
    response = await client.post(BATCH, json=items, headers=tokens.headers(Role.service, subject="gw-batch"))
    assert response.status_code == expect, response.text
    found: dict[str, Any] = response.json()
    return found


async def _get(client: httpx.AsyncClient, tokens: Tokens, complaint_id: str) -> dict[str, Any]:
    response = await client.get(f"/complaints/{complaint_id}", headers=tokens.headers(Role.supervisor))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _history(client: httpx.AsyncClient, tokens: Tokens, complaint_id: str) -> list[tuple[str, str | None]]:
    response = await client.get(f"/complaints/{complaint_id}/history", headers=tokens.headers(Role.supervisor))
    assert response.status_code == 200, response.text
    return [(h["action"], h["reason"]) for h in response.json()]


async def test_each_message_of_a_batch_is_what_the_single_intake_makes_of_it(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order_id = unique("TB")
    await feed(app, *paid_order(order_id, customer="C-77", merchant="M-7", paid=12900, at=clock.now()))
    items = [message("wechat", order_id=order_id), message("weibo"), message("phone", subject="电话投诉")]
    answer = await _batch(client, tokens, items)
    assert (answer["created"], answer["resent"], answer["rejected"]) == (3, 0, 0)
    results = answer["results"]
    assert [(r["index"], r["outcome"], r["status"]) for r in results] == [(0, "created", 201), (1, "created", 201),
                                                                          (2, "created", 201)]  # fmt: skip
    assert [r["channel_message_id"] for r in results] == [i["channel_message_id"] for i in items]
    wechat, weibo, phone = [await _get(client, tokens, r["complaint"]["id"]) for r in results]
    assert (wechat["state"], wechat["customer_id"], wechat["merchant_id"], wechat["order_known"]) == (
        "open", "C-77", "M-7", True,
    )  # fmt: skip
    assert (weibo["state"], phone["state"], phone["routed_to"]) == ("open", "routed", "complaints-desk")
    assert [r["complaint"]["state"] for r in results] == ["open", "open", "routed"]
    assert set(await clocks_of(client, tokens, wechat["id"])) == {"§4.2", "§4.3"}
    assert set(await clocks_of(client, tokens, weibo["id"])) == {"§4.2", "§4.3", "§4.4"}  # public: the merchant's
    assert set(await clocks_of(client, tokens, phone["id"])) == {"§4.2", "§4.3", "§4.5"}  # the dedicated person's
    assert (await clocks_of(client, tokens, wechat["id"]))["§4.2"]["due_at"] == "2026-11-24T03:00:00Z"
    for complaint in (wechat, weibo, phone):
        assert await _history(client, tokens, complaint["id"]) == [("open", complaint["subject"])]
        assert len(await events_of(app, complaint["id"], "ComplaintOpened")) == 1
    [opened] = await events_of(app, wechat["id"], "ComplaintOpened")
    assert (opened["order_id"], opened["merchant_id"], opened["channel"]) == (order_id, "M-7", "wechat")


async def test_a_resend_is_the_same_complaint_inside_a_batch_and_across_batches_and_the_single_intake(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    one, two = message("wechat"), message("shop_chat")
    first = await _batch(client, tokens, [one, two, one])
    assert [r["outcome"] for r in first["results"]] == ["created", "created", "resent"]
    assert first["results"][2]["status"] == 200
    assert first["results"][2]["complaint"]["id"] == first["results"][0]["complaint"]["id"]

    again = await _batch(client, tokens, [two, one, message("wechat")])
    assert [r["outcome"] for r in again["results"]] == ["resent", "resent", "created"]
    assert again["results"][0]["complaint"]["id"] == first["results"][1]["complaint"]["id"]
    assert again["results"][1]["complaint"]["id"] == first["results"][0]["complaint"]["id"]
    single = await hand_over(client, tokens, one, expect=200)
    assert single["id"] == first["results"][0]["complaint"]["id"]
    # Made once: one audit row, one set of clocks, one ComplaintOpened each.
    for result in first["results"][:2]:
        complaint_id = result["complaint"]["id"]
        assert len(await _history(client, tokens, complaint_id)) == 1
        assert len(await events_of(app, complaint_id, "ComplaintOpened")) == 1


async def test_a_customers_messages_about_one_order_in_one_batch_are_merged_into_the_first(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order_id, customer = unique("TB"), unique("C")
    await feed(app, *paid_order(order_id, customer=customer, merchant="M-1", paid=3000, at=clock.now()))
    items = [
        message("wechat", order_id=order_id),  # the customer comes from the order
        message("weibo", order_id=order_id, sender={"customer_id": customer}),
        message("forum", order_id=order_id, sender={"customer_id": customer}),
        message("wechat", order_id=unique("TB"), sender={"customer_id": customer}),  # another order: its own
    ]
    results = (await _batch(client, tokens, items))["results"]
    first, second, third, other = (r["complaint"] for r in results)
    assert [r["outcome"] for r in results] == ["created"] * 4
    assert (first["state"], first["merged_into"]) == ("open", None)
    assert (second["state"], second["merged_into"]) == ("merged", first["id"])
    assert (third["state"], third["merged_into"]) == ("merged", first["id"])
    assert (other["state"], other["merged_into"]) == ("open", None)
    assert await clocks_of(client, tokens, second["id"]) == {}  # the earliest's clocks are the ones kept
    assert set(await clocks_of(client, tokens, first["id"])) == {"§4.2", "§4.3"}
    assert await _history(client, tokens, first["id"]) == [
        ("open", "包装破损"), ("absorb", f"merged {second['id']} (weibo)"), ("absorb", f"merged {third['id']} (forum)"),
    ]  # fmt: skip
    assert await _history(client, tokens, second["id"]) == [("open", "包装破损")]
    assert (await _get(client, tokens, second["id"]))["state"] == "merged"
    # Every one is announced (finance holds the order until each closes).
    for complaint in (first, second, third):
        assert len(await events_of(app, complaint["id"], "ComplaintOpened")) == 1

    # A later batch's message of the same customer about the order joins the same complaint.
    later = await _batch(client, tokens, [message("email", order_id=order_id, sender={"customer_id": customer})])
    assert (later["results"][0]["complaint"]["state"], later["results"][0]["complaint"]["merged_into"]) == (
        "merged", first["id"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_at": "2026-11-24T10:00:00"}, "body[1].received_at"),
        ({"channel": "telegram"}, "body[1].channel"),
        ({"sender": {}}, "body[1].sender"),
        ({"body": "破了\x00"}, "body[1].body"),
        ({"sender": {"name": "王\x00"}}, "body[1].sender.name"),
        ({"unexpected": 1}, "body[1].unexpected"),
    ],
)
async def test_a_bad_item_is_refused_naming_its_index_and_field_while_the_good_ones_land(
    client: httpx.AsyncClient, tokens: Tokens, change: dict[str, Any], field: str
) -> None:
    good, later = message("wechat"), message("weibo")
    bad = message("wechat") | change
    answer = await _batch(client, tokens, [good, bad, later])
    assert (answer["created"], answer["rejected"]) == (2, 1)
    refused = answer["results"][1]
    assert (refused["index"], refused["outcome"], refused["status"], refused["complaint"]) == (1, "rejected", 422, None)
    assert refused["channel_message_id"] == bad["channel_message_id"]
    problem = refused["problem"]
    assert (problem["status"], problem["type"]) == (422, "https://aftersales.dev/problems/validation-error")
    assert field in [error["field"] for error in problem["errors"]]
    assert field in problem["detail"]
    for result in (answer["results"][0], answer["results"][2]):
        assert result["outcome"] == "created"
        await _get(client, tokens, result["complaint"]["id"])  # it landed
    listed = await client.get("/complaints", params={"limit": 200}, headers=tokens.headers(Role.supervisor))
    assert bad["channel_message_id"] not in [c["channel_message_id"] for c in listed.json()["items"]]


async def test_an_item_that_is_no_object_is_refused_by_its_index(client: httpx.AsyncClient, tokens: Tokens) -> None:
    answer = await _batch(client, tokens, [message("wechat"), "not a message"])
    assert [r["outcome"] for r in answer["results"]] == ["created", "rejected"]
    assert [e["field"] for e in answer["results"][1]["problem"]["errors"]] == ["body[1]"]


@pytest.mark.parametrize("body", [[], {"channel": "wechat"}, "x"])
async def test_a_body_that_is_no_batch_is_a_422(client: httpx.AsyncClient, tokens: Tokens, body: Any) -> None:
    refused = await client.post(BATCH, json=body, headers=tokens.headers(Role.service))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "body" in [error["field"] for error in refused.json()["errors"]]


async def test_a_batch_over_the_limit_is_a_422(client: httpx.AsyncClient, tokens: Tokens) -> None:
    refused = await client.post(BATCH, json=[message("wechat")] * 201, headers=tokens.headers(Role.service))
    assert refused.status_code == 422, refused.text
    assert "body" in [error["field"] for error in refused.json()["errors"]]


@pytest.mark.parametrize("role", [Role.agent, Role.supervisor, Role.warehouse, Role.finance, Role.customer])
async def test_only_the_service_role_hands_over_a_batch(client: httpx.AsyncClient, tokens: Tokens, role: Role) -> None:
    item = message("wechat")
    refused = await client.post(BATCH, json=[item], headers=tokens.headers(role))
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await client.post(BATCH, json=[item])).status_code == 401
    listed = await client.get("/complaints", params={"limit": 200}, headers=tokens.headers(Role.supervisor))
    assert item["channel_message_id"] not in [c["channel_message_id"] for c in listed.json()["items"]]


def test_the_batch_is_documented_with_an_example(app: FastAPI) -> None:
    operation = app.openapi()["paths"][BATCH]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"]["maxItems"] == 200
    assert body["example"][0]["channel_message_id"] == "wb-4951234567"
    answer = operation["responses"]["200"]["content"]["application/json"]
    assert [r["outcome"] for r in answer["example"]["results"]] == ["created", "created", "rejected"]
    assert "Roles: service" in operation["description"]
