"""§1 pre-sale inquiries: A1 from the shop-chat gateway (idempotent, role service) and by agents;
conversion by an order within the window whichever arrives first; failures kept with their
reason; the follow-up queue of unconverted inquiries (filters, sort, pages)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from ..kit import unique
from .kit import GATEWAY, asked, chat, get, placed

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
ASKED = "2026-11-24T10:00:00+08:00"


async def test_the_gateway_hands_over_once_per_chat_message(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = chat(unique("C"), ASKED, first_reply_at="2026-11-24T10:00:40+08:00", products=["SKU-A", "SKU-A", "SKU-B"])
    answers = await asyncio.gather(
        *(
            client.post("/inquiries/intake", json=body, headers=tokens.headers(Role.service, **GATEWAY))
            for _ in range(3)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 200, 201], [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    made = answers[0].json()
    assert (made["state"], made["agent"], made["products"], made["channel"]) == (
        "open", "alice", ["SKU-A", "SKU-B"], "shop_chat",
    )  # fmt: skip
    assert made["converts_until"] == "2026-11-28T02:00:00Z"  # asked + 4 days
    assert made["first_reply_at"] == "2026-11-24T02:00:40Z"
    listed = await get(client, tokens, "/inquiries", customer_id=body["customer_id"])
    assert [i["id"] for i in listed["items"]] == [made["id"]]
    history = await get(client, tokens, f"/inquiries/{made['id']}/history")
    assert [(h["action"], h["step"], h["actor"]) for h in history] == [("open", "A1", "gw-wangwang")]


async def test_only_the_gateway_hands_over_and_only_staff_record_or_read(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    body = chat(unique("C"), ASKED)
    for role in (Role.agent, Role.supervisor, Role.customer):
        refused = await client.post("/inquiries/intake", json=body, headers=tokens.headers(role))
        assert refused.status_code == 403, (role, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.post("/inquiries/intake", json=body)).status_code == 401
    by_hand = {"customer_id": unique("C"), "question": "dishwasher-safe?", "products": ["SKU-CUP"]}
    refused = await client.post("/inquiries", json=by_hand, headers=tokens.headers(Role.service))
    assert refused.status_code == 403
    made = await client.post("/inquiries", json=by_hand, headers=tokens.headers(Role.agent, subject="ann"))
    assert made.status_code == 201, made.text
    by_ann = made.json()
    assert (by_ann["agent"], by_ann["channel"], by_ann["asked_at"]) == ("ann", "phone", "2026-11-24T02:00:00Z")
    for role in (Role.customer, Role.warehouse, Role.merchant):
        assert (await client.get(f"/inquiries/{made.json()['id']}", headers=tokens.headers(role))).status_code == 403
    rule = await client.get("/inquiries/conversion-rule", headers=tokens.headers(Role.agent))
    assert rule.status_code == 200
    assert rule.json()["window_days"] == 4


async def test_an_order_placed_within_the_window_converts_it_and_one_after_does_not(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    customer, other = unique("C"), unique("C")
    made = await asked(client, tokens, chat(customer, ASKED))
    late = await asked(client, tokens, chat(other, ASKED))
    # the other customer orders one second after their window closed: no conversion
    await placed(app, unique("TB"), other, T0 + timedelta(days=4, seconds=1))
    # a third customer's order converts nobody else's inquiry
    await placed(app, unique("TB"), unique("C"), T0 + timedelta(hours=1))
    assert (await get(client, tokens, f"/inquiries/{made['id']}"))["state"] == "open"
    order = unique("TB")
    await placed(app, order, customer, T0 + timedelta(days=4), total=12900)  # at the window's end: converts
    converted = await get(client, tokens, f"/inquiries/{made['id']}")
    assert (converted["state"], converted["converted_order_id"], converted["converted_order_minor"]) == (
        "converted", order, 12900,
    )  # fmt: skip
    assert converted["converted_at"] == "2026-11-28T02:00:00Z"
    assert (await get(client, tokens, f"/inquiries/{late['id']}"))["state"] == "open"
    history = await get(client, tokens, f"/inquiries/{made['id']}/history")
    assert [(h["action"], h["actor"]) for h in history] == [("open", "gw-wangwang"), ("convert", "tickets")]
    # a second order in the window changes nothing: the first order is the inquiry's
    await placed(app, unique("TB"), customer, T0 + timedelta(days=1))
    assert (await get(client, tokens, f"/inquiries/{made['id']}"))["converted_order_id"] == order


async def test_an_order_known_before_the_inquiry_is_recorded_converts_it_at_intake(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    """The gateway hands the chat over late: the order it led to is already in the read model."""
    customer, order = unique("C"), unique("TB")
    await placed(app, unique("TB"), customer, T0 - timedelta(minutes=1))  # before the question: not it
    await placed(app, order, customer, T0 + timedelta(hours=2), total=5000, paid=4800)
    made = await asked(client, tokens, chat(customer, ASKED))
    assert (made["state"], made["converted_order_id"]) == ("converted", order)
    before = await asked(client, tokens, chat(unique("C"), ASKED))
    assert before["state"] == "open"


async def test_an_inquiry_and_its_order_arriving_at_once_still_convert(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    for _ in range(3):
        customer, order = unique("C"), unique("TB")
        answer, _ = await asyncio.gather(
            client.post("/inquiries/intake", json=chat(customer, ASKED), headers=tokens.headers(Role.service)),
            placed(app, order, customer, T0 + timedelta(minutes=5)),
        )
        assert answer.status_code == 201, answer.text
        assert (await get(client, tokens, f"/inquiries/{answer.json()['id']}"))["converted_order_id"] == order


async def test_failed_inquiries_keep_their_reason_and_still_convert_within_the_window(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    customer = unique("C")
    made = await asked(client, tokens, chat(customer, ASKED))
    agent = tokens.headers(Role.agent, subject="alice")
    empty = await client.post(f"/inquiries/{made['id']}/fail", json={"reason": ""}, headers=agent)
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "body.reason"
    failed = await client.post(f"/inquiries/{made['id']}/fail", json={"reason": "price"}, headers=agent)
    assert failed.status_code == 200, failed.text
    assert (failed.json()["state"], failed.json()["failure_reason"], failed.json()["failed_by"]) == (
        "failed", "price", "alice",
    )  # fmt: skip
    again = await client.post(f"/inquiries/{made['id']}/fail", json={"reason": "price"}, headers=agent)
    assert (again.status_code, again.json()["current_state"]) == (409, "failed")
    await placed(app, unique("TB"), customer, T0 + timedelta(days=2))
    converted = await get(client, tokens, f"/inquiries/{made['id']}")
    assert (converted["state"], converted["failure_reason"]) == ("converted", "price")


async def test_the_follow_up_queue_holds_unconverted_inquiries_whose_window_closed(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    agent_name = unique("agent")
    customers = [unique("C") for _ in range(4)]
    made = [
        await asked(client, tokens, chat(c, f"2026-11-24T10:0{i}:00+08:00", agent=agent_name))
        for i, c in enumerate(customers)
    ]
    agent = tokens.headers(Role.agent, subject=agent_name)
    await client.post(f"/inquiries/{made[1]['id']}/fail", json={"reason": "out of stock"}, headers=agent)
    await placed(app, unique("TB"), customers[2], T0 + timedelta(days=1))  # converted: not queued
    # within the window nothing is queued yet
    assert (await get(client, tokens, "/inquiries/follow-up", agent=agent_name))["items"] == []
    clock.advance(timedelta(days=4, minutes=10))
    queue = await get(client, tokens, "/inquiries/follow-up", agent=agent_name)
    assert [i["id"] for i in queue["items"]] == [made[0]["id"], made[1]["id"], made[3]["id"]]
    newest = await get(client, tokens, "/inquiries/follow-up", agent=agent_name, sort="-asked_at", limit=2)
    assert [i["id"] for i in newest["items"]] == [made[3]["id"], made[1]["id"]]
    rest = await get(client, tokens, "/inquiries/follow-up", agent=agent_name, sort="-asked_at", limit=2,
                     cursor=newest["next_cursor"])  # fmt: skip
    assert ([i["id"] for i in rest["items"]], rest["next_cursor"]) == ([made[0]["id"]], None)
    failed_only = await get(client, tokens, "/inquiries/follow-up", agent=agent_name, state="failed")
    assert [(i["id"], i["failure_reason"]) for i in failed_only["items"]] == [(made[1]["id"], "out of stock")]
    done = await client.post(f"/inquiries/{made[0]['id']}/follow-up", json={"outcome": "will_order", "note": "Fri"},
                             headers=agent)  # fmt: skip
    assert (done.status_code, done.json()["follow_up_outcome"], done.json()["followed_up_by"]) == (
        200, "will_order", agent_name,
    )  # fmt: skip
    pending = await get(client, tokens, "/inquiries/follow-up", agent=agent_name, followed_up="false")
    assert [i["id"] for i in pending["items"]] == [made[1]["id"], made[3]["id"]]
    converted = await client.post(f"/inquiries/{made[2]['id']}/follow-up", json={"outcome": "other"}, headers=agent)
    assert converted.status_code == 409
    bad_sort = await client.get("/inquiries/follow-up", params={"sort": "agent"}, headers=agent)
    assert bad_sort.status_code == 422
    assert bad_sort.json()["errors"][0]["field"] == "query.sort"
    bad_cursor = await client.get("/inquiries/follow-up", params={"cursor": "nope"}, headers=agent)
    assert bad_cursor.status_code == 422


async def test_bad_input_is_a_problem_naming_the_field(client: httpx.AsyncClient, tokens: Tokens) -> None:
    service = tokens.headers(Role.service)
    for body, field in (
        (chat(unique("C"), "2026-11-24T10:00:00"), "body.asked_at"),  # no UTC offset
        (chat(unique("C"), ASKED, first_reply_at="2026-11-24T09:00:00+08:00"), "body.first_reply_at"),
        (chat(unique("C"), ASKED, channel="pigeon"), "body.channel"),
        ({k: v for k, v in chat(unique("C"), ASKED).items() if k != "agent"}, "body.agent"),
    ):
        refused = await client.post("/inquiries/intake", json=body, headers=service)
        assert refused.status_code == 422, body
        problem = refused.json()
        fields = [e["field"] for e in problem.get("errors", [])] or [problem.get("field")]
        assert field in fields, problem
