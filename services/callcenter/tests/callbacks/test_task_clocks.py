"""Every callback task runs its step's SLA clock, due at the task's own due time and typed by
its kind: warned and breached once each, stopped at the final outcome, on-time by kind read
from GET /sla/clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens

from ..kit import outbox
from .kit import claim, empty_queue, open_task, outcome


async def _clock(client: httpx.AsyncClient, tokens: Tokens, task_id: str) -> dict[str, Any]:
    response = await client.get(
        "/sla/clocks", params={"aggregate_id": task_id}, headers=tokens.headers(Role.supervisor)
    )
    assert response.status_code == 200, response.text
    [found] = response.json()["items"]
    clock: dict[str, Any] = found
    return clock


def _sla_events(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [name for name, _ in events if name.startswith("Sla")]


async def test_kinds_sharing_a_step_each_run_a_clock_due_at_their_own_due_time(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    signup = await open_task(client, tokens, "new_signup")
    listed = await open_task(client, tokens, "outreach")
    for task, kind in ((signup, "new_signup"), (listed, "outreach")):
        clock = await _clock(client, tokens, task["id"])
        assert (clock["step"], clock["aggregate_type"], clock["state"]) == ("§7.2", kind, "running")
        assert clock["due_at"] == task["due_at"]
        assert clock["duration"] == task["due_rule"]
    assert signup["due_at"] != listed["due_at"]  # 15 working minutes against 5 working days


async def test_a_late_task_warns_and_breaches_once_and_its_late_outcome_stays_breached(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    task = await open_task(client, tokens, "new_signup")  # due 10:15, warned 10 working minutes before
    scheduler = app.state.sla_scheduler
    clock.advance(timedelta(minutes=4))
    await scheduler.tick()
    assert _sla_events(await outbox(database, task["id"])) == []
    clock.advance(timedelta(minutes=1))  # 10:05
    await scheduler.tick()
    await scheduler.tick()
    assert _sla_events(await outbox(database, task["id"])) == ["SlaWarning"]
    clock.advance(timedelta(minutes=10))  # 10:15: due
    await scheduler.tick()
    await scheduler.tick()
    assert _sla_events(await outbox(database, task["id"])) == ["SlaWarning", "SlaBreached"]

    lease = (await claim(client, tokens)).json()
    assert lease["task"]["id"] == task["id"]
    done = await outcome(client, tokens, task["id"], lease["lease_token"], "reached", summary="called back late")
    assert done.status_code == 200, done.text
    stopped = await _clock(client, tokens, task["id"])
    assert (stopped["state"], stopped["outcome"], stopped["stopped_by"]) == ("stopped", "breached", "ann")
    await scheduler.tick()
    assert _sla_events(await outbox(database, task["id"])) == ["SlaWarning", "SlaBreached"]  # once each


async def test_on_time_outcomes_are_met_and_counted_by_kind(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    clock.set(datetime(2026, 11, 25, 6, 0, tzinfo=UTC))  # Wednesday 14:00: this test's own kind and hour
    kind = "post_event_attended_ordered"
    before = await _met(client, tokens, kind)
    task = await open_task(client, tokens, kind, event_date="2026-11-24")
    lease = (await claim(client, tokens)).json()
    done = await outcome(client, tokens, task["id"], lease["lease_token"], "reached", summary="ordered again")
    assert done.status_code == 200, done.text
    assert (await _clock(client, tokens, task["id"]))["outcome"] == "met"
    other = await open_task(client, tokens, "outreach")  # met too, but of another kind
    dnc = {"phone": other["phone"], "reason": "no calls"}
    assert (await client.post("/do-not-call", json=dnc, headers=tokens.headers(Role.agent))).status_code == 200
    assert (await _clock(client, tokens, other["id"]))["outcome"] == "met"
    assert await _met(client, tokens, kind) == before + 1
    assert _sla_events(await outbox(database, task["id"])) == []


async def _met(client: httpx.AsyncClient, tokens: Tokens, kind: str) -> int:
    response = await client.get(
        "/sla/clocks", params={"aggregate_type": kind, "status": "met", "limit": 100},
        headers=tokens.headers(Role.supervisor),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert {item["aggregate_type"] for item in items} <= {kind}  # the filter holds: this kind only
    return len(items)


async def test_a_withdrawn_task_stops_its_clock(client: httpx.AsyncClient, tokens: Tokens) -> None:
    task = await open_task(client, tokens, "returning_signup")
    closed = await client.post(
        "/do-not-call", json={"phone": task["phone"], "reason": "asked not to be called"},
        headers=tokens.headers(Role.agent, subject="bo"),
    )  # fmt: skip
    assert closed.json()["closed_tasks"] == 1
    stopped = await _clock(client, tokens, task["id"])
    assert (stopped["state"], stopped["outcome"], stopped["stopped_by"]) == ("stopped", "met", "bo")
