"""Tasks arrive by API with their kind's class and due time; one per (source, step); roles
and bad input refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import open_task, phone


async def test_a_new_signup_is_highest_and_due_in_15_working_minutes(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    task = await open_task(client, tokens, "new_signup")
    assert (task["priority_class"], task["state"], task["source_step"]) == ("highest", "open", "§7.2")
    assert datetime.fromisoformat(task["due_at"]) == datetime(2026, 11, 24, 2, 15, tzinfo=UTC)  # 10:15 Shanghai
    assert task["allowed_actions"] == ["no-answer", "reached", "unreachable", "withdraw"]


async def test_an_off_hours_signup_is_due_by_the_close_of_the_next_working_day(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 28, 3, 0, tzinfo=UTC))  # Saturday 11:00 Shanghai
    task = await open_task(client, tokens, "returning_signup")
    assert task["priority_class"] == "high"
    assert datetime.fromisoformat(task["due_at"]) == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday 18:00


async def test_an_event_signup_is_called_on_the_last_working_day_a_week_before(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    # Event on Sunday 2026-12-13: event - 7 d is Sunday 12-06 → the last working day on or before is Friday 12-04.
    task = await open_task(client, tokens, "event_signup", event_date="2026-12-13")
    assert datetime.fromisoformat(task["not_before"]) == datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 09:00
    assert datetime.fromisoformat(task["due_at"]) == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # 18:00
    missing = await client.post(
        "/callbacks", json={"kind": "event_signup", "source": "e:1", "phone": phone()},
        headers=tokens.headers(Role.supervisor),
    )  # fmt: skip
    assert missing.status_code == 422
    assert missing.json()["rule"] == "§7.2.event-date-required"


async def test_one_task_per_source_and_step(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {"kind": "outreach", "source": f"list:{uuid.uuid4().hex[:8]}", "phone": phone()}
    first = await client.post("/callbacks", json=body, headers=tokens.headers(Role.service))
    again = await client.post("/callbacks", json=body, headers=tokens.headers(Role.supervisor))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["priority_class"] == "low"


async def test_roles_are_enforced_both_ways(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {"kind": "outreach", "source": f"list:{uuid.uuid4().hex[:8]}", "phone": phone()}
    assert (await client.post("/callbacks", json=body)).status_code == 401
    for role in (Role.agent, Role.customer, Role.merchant, Role.finance, Role.warehouse):
        assert (await client.post("/callbacks", json=body, headers=tokens.headers(role))).status_code == 403
    assert (await client.post("/callbacks", json=body, headers=tokens.headers(Role.supervisor))).status_code == 201
    assert (await client.get("/callbacks", headers=tokens.headers(Role.customer))).status_code == 403
    assert (await client.get("/callback-queue", headers=tokens.headers(Role.agent))).status_code == 403
    assert (await client.get("/callback-queue", headers=tokens.headers(Role.supervisor))).status_code == 200


async def test_bad_input_is_a_problem_naming_the_field(client: httpx.AsyncClient, tokens: Tokens) -> None:
    headers = tokens.headers(Role.service)
    bad_phone = await client.post("/callbacks", json={"kind": "outreach", "source": "x", "phone": "call me"},
                                  headers=headers)  # fmt: skip
    assert bad_phone.status_code == 422
    assert bad_phone.headers["content-type"] == "application/problem+json"
    assert "body.phone" in {e["field"] for e in bad_phone.json()["errors"]}
    naive = await client.post(
        "/callbacks", json={"kind": "outreach", "source": "x", "phone": phone(), "requested_at": "2026-11-24T10:00:00"},
        headers=headers,
    )  # fmt: skip
    assert naive.status_code == 422
    unknown = await client.get(f"/callbacks/{uuid.uuid4()}", headers=tokens.headers(Role.agent))
    assert unknown.status_code == 404
