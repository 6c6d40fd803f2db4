"""E3 from reviews (CustomerFlagged) kept by tickets: staff see the flag (reason, when, by whom,
which review) on that customer's complaints and cases, read one by one or listed; another
customer's show none; the customer reading their own complaint never sees it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from aftersales_events.catalogue import reviews as ev
from aftersales_events.testing import consumer_record, wrap

from ..cases.kit import open_case
from ..kit import feed, unique


def flagged(customer: str, at: datetime) -> ev.CustomerFlagged:
    return ev.CustomerFlagged(
        customer_id=customer, case_id=uuid.uuid4(), report_id=uuid.uuid4(), marketplace="taobao",
        review_id=unique("R"), order_id=unique("TB"), reason="extortion", note="asked for money to remove it",
        flagged_by="sam", flagged_at=at,
    )  # fmt: skip


def shown(flag: ev.CustomerFlagged) -> dict[str, Any]:
    return {
        "reason": flag.reason, "note": flag.note, "flagged_at": flag.flagged_at.isoformat().replace("+00:00", "Z"),
        "flagged_by": flag.flagged_by, "marketplace": flag.marketplace, "review_id": flag.review_id,
        "case_id": str(flag.case_id), "report_id": str(flag.report_id), "order_id": flag.order_id,
    }  # fmt: skip


async def complain(client: httpx.AsyncClient, tokens: Tokens, customer: str, order: str) -> httpx.Response:
    body = {"channel": "phone", "sender": {"customer_id": customer}, "order_id": order, "body": "Tin dented."}
    response = await client.post("/complaints", json=body, headers=tokens.headers(Role.agent, subject="ann"))
    assert response.status_code == 201, response.text
    return response


async def test_a_flagged_customers_new_complaint_carries_the_flag_and_another_customers_does_not(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    customer, other = unique("C"), unique("C")
    flag = flagged(customer, clock.now() - timedelta(hours=2))
    record = consumer_record(wrap(flag, subject=str(flag.case_id)))
    assert await app.state.consumer.process(record) == "applied"
    assert await app.state.consumer.process(record) == "duplicate"
    await feed(app, flag)  # the same flag resent under a new event id: still one flag

    order = unique("TB")
    created = (await complain(client, tokens, customer, order)).json()
    assert created["customer_flags"] == [shown(flag)]
    got = await client.get(f"/complaints/{created['id']}", headers=tokens.headers(Role.agent))
    assert got.json()["customer_flags"] == [shown(flag)]
    listed = await client.get("/complaints", params={"order_id": order}, headers=tokens.headers(Role.supervisor))
    assert [c["customer_flags"] for c in listed.json()["items"]] == [[shown(flag)]]

    others = (await complain(client, tokens, other, unique("TB"))).json()
    assert others["customer_flags"] == []
    got = await client.get(f"/complaints/{others['id']}", headers=tokens.headers(Role.agent))
    assert got.json()["customer_flags"] == []

    own = await client.get(f"/complaints/{created['id']}", headers=tokens.headers(Role.customer, subject=customer))
    assert own.status_code == 200
    assert own.json()["customer_flags"] == []  # the customer is not told they are flagged
    mine = await client.get("/complaints", headers=tokens.headers(Role.customer, subject=customer))
    assert [c["customer_flags"] for c in mine.json()["items"]] == [[]]


async def test_a_flag_arriving_later_shows_on_complaints_and_cases_already_open_newest_first(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    customer, order = unique("C"), unique("TB")
    complaint = (await complain(client, tokens, customer, order)).json()
    case = await open_case(client, tokens, "C", customer_id=customer)
    bystander = await open_case(client, tokens, "C", customer_id=unique("C"))
    assert complaint["customer_flags"] == []
    assert case["customer_flags"] == []

    first, second = flagged(customer, clock.now() - timedelta(days=3)), flagged(customer, clock.now())
    await feed(app, first, second)
    got = await client.get(f"/complaints/{complaint['id']}", headers=tokens.headers(Role.agent))
    assert got.json()["customer_flags"] == [shown(second), shown(first)]
    got = await client.get(f"/cases/{case['id']}", headers=tokens.headers(Role.agent))
    assert got.json()["customer_flags"] == [shown(second), shown(first)]
    listed = await client.get("/cases", params={"order_id": case["order_id"]}, headers=tokens.headers(Role.agent))
    assert [c["customer_flags"] for c in listed.json()["items"]] == [[shown(second), shown(first)]]
    got = await client.get(f"/cases/{bystander['id']}", headers=tokens.headers(Role.agent))
    assert got.json()["customer_flags"] == []
