"""The next-task claim: queue order, not-before, the calling window and its override, the
lease and its fencing token, and the outcomes' rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens

from .kit import claim, empty_queue, open_task, outcome


async def test_claims_follow_class_then_due_then_request_time(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    outreach = await open_task(client, tokens, "outreach")
    signup = await open_task(client, tokens, "new_signup")
    # Same class, rank and due time (the close of the next working day): the earlier request first.
    asked_later = await open_task(client, tokens, "post_event_attended_ordered", event_date="2026-11-23",
                                  requested_at="2026-11-24T09:30:00+08:00")  # fmt: skip
    asked_earlier = await open_task(client, tokens, "post_event_attended_ordered", event_date="2026-11-23",
                                    requested_at="2026-11-24T09:00:00+08:00")  # fmt: skip
    assert asked_later["due_at"] == asked_earlier["due_at"]
    no_order = await open_task(client, tokens, "post_event_attended_no_order", event_date="2026-11-23")
    a8 = await open_task(client, tokens, "a8_follow_up", requested_at=clock.now().isoformat())  # workable in 3 days
    order = []
    while (response := await claim(client, tokens)).status_code == 200:
        order.append(response.json()["task"]["id"])
    assert response.status_code == 204
    assert order == [signup["id"], no_order["id"], asked_earlier["id"], asked_later["id"], outreach["id"]]
    assert a8["id"] not in order  # never before its not-before time


async def test_the_original_request_time_orders_equal_due_times(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    late = await open_task(client, tokens, "review_call", requested_at="2026-11-24T09:30:00+08:00")
    early = await open_task(client, tokens, "review_call", requested_at="2026-11-24T09:00:00+08:00")
    # A review call is due 24 h after the review: the earlier request is due first.
    assert (await claim(client, tokens)).json()["task"]["id"] == early["id"]
    assert (await claim(client, tokens)).json()["task"]["id"] == late["id"]


async def test_no_claim_outside_working_time_unless_a_supervisor_opened_the_window(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    task = await open_task(client, tokens, "outreach")
    clock.set(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))  # 19:00 Shanghai, after closing
    refused = await claim(client, tokens)
    assert refused.status_code == 409
    assert refused.json()["rule"] == "§7.2.calling-window"
    window = {"starts_at": "2026-11-24T18:30:00+08:00", "ends_at": "2026-11-24T20:00:00+08:00", "reason": "campaign"}
    agent_try = await client.post("/callback-queue/window-overrides", json=window, headers=tokens.headers(Role.agent))
    assert agent_try.status_code == 403
    made = await client.post(
        "/callback-queue/window-overrides", json=window, headers=tokens.headers(Role.supervisor, subject="sam")
    )
    assert made.status_code == 201, made.text
    assert made.json()["recorded_by"] == "sam"
    claimed = await claim(client, tokens)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["task"]["id"] == task["id"]
    assert claimed.json()["calling_window_override"] == made.json()["id"]
    clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))  # 20:00: the override has ended
    assert (await claim(client, tokens)).json()["rule"] == "§7.2.calling-window"
    backwards = {**window, "ends_at": "2026-11-24T18:00:00+08:00"}
    bad = await client.post("/callback-queue/window-overrides", json=backwards, headers=tokens.headers(Role.supervisor))
    assert (bad.status_code, bad.json()["rule"]) == (422, "§7.2.override-window")


async def test_no_answer_schedules_the_next_attempt_in_calling_time_and_two_are_needed_for_unreachable(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    clock.set(datetime(2026, 11, 24, 9, 50, tzinfo=UTC))  # 17:50 Shanghai
    task = await open_task(client, tokens, "outreach")
    lease = (await claim(client, tokens)).json()
    too_soon = await outcome(client, tokens, task["id"], lease["lease_token"], "unreachable")
    assert (too_soon.status_code, too_soon.json()["rule"]) == (422, "§7.2.two-unanswered-attempts")
    first = await outcome(client, tokens, task["id"], lease["lease_token"], "no_answer")
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["state"], body["attempts"], body["unanswered"], body["lease_holder"]) == ("open", 1, 1, None)
    # 30 working minutes from 17:50: 10 today, 20 tomorrow from 09:00.
    assert datetime.fromisoformat(body["not_before"]) == datetime(2026, 11, 25, 1, 20, tzinfo=UTC)
    assert body["requested_at"] == task["requested_at"]
    assert (await claim(client, tokens)).status_code == 204  # not before then
    clock.set(datetime(2026, 11, 25, 1, 20, tzinfo=UTC))
    second = (await claim(client, tokens, agent="bob")).json()
    closed = await outcome(client, tokens, task["id"], second["lease_token"], "unreachable", agent="bob")
    assert closed.status_code == 200, closed.text
    assert (closed.json()["state"], closed.json()["unanswered"]) == ("unreachable", 2)
    again = await outcome(client, tokens, task["id"], second["lease_token"], "reached", agent="bob", summary="x")
    assert (again.status_code, again.json()["type"].split("/")[-1]) == (409, "invalid-transition")


async def test_reached_needs_a_summary_and_is_final(
    client: httpx.AsyncClient, tokens: Tokens, database: Database
) -> None:
    await empty_queue(database)
    task = await open_task(client, tokens, "new_signup")
    lease = (await claim(client, tokens)).json()
    blank = await outcome(client, tokens, task["id"], lease["lease_token"], "reached", summary="  ")
    assert (blank.status_code, blank.json()["rule"]) == (422, "§7.2.summary-required")
    done = await outcome(
        client, tokens, task["id"], lease["lease_token"], "reached", summary="Welcomed; sent catalogue"
    )
    assert (done.status_code, done.json()["state"], done.json()["summary"]) == (
        200,
        "reached",
        "Welcomed; sent catalogue",
    )
    history = (await client.get(f"/callbacks/{task['id']}/history", headers=tokens.headers(Role.agent))).json()
    assert [(h["action"], h["step"], h["to_state"]) for h in history] == [
        ("open", "§7.2", "open"),
        ("reached", "§7.2", "reached"),
    ]


async def test_an_outcome_from_a_lapsed_lease_is_refused(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    task = await open_task(client, tokens, "new_signup")
    lapsed = (await claim(client, tokens, agent="ann")).json()
    clock.advance(timedelta(minutes=10))  # the lease (600 s) has lapsed exactly
    late = await outcome(client, tokens, task["id"], lapsed["lease_token"], "no_answer", agent="ann")
    assert (late.status_code, late.json()["rule"]) == (409, "§7.2.lease-lapsed")
    taken = (await claim(client, tokens, agent="bob")).json()
    assert taken["task"]["id"] == task["id"]
    assert taken["lease_token"] > lapsed["lease_token"]
    stale = await outcome(client, tokens, task["id"], lapsed["lease_token"], "reached", agent="ann", summary="hi")
    assert (stale.status_code, stale.json()["rule"]) == (409, "§7.2.lease-lapsed")
    not_yours = await outcome(client, tokens, task["id"], taken["lease_token"], "reached", agent="ann", summary="hi")
    assert not_yours.status_code == 409
    mine = await outcome(client, tokens, task["id"], taken["lease_token"], "reached", agent="bob", summary="ok")
    assert mine.status_code == 200
    assert mine.json()["attempts"] == 1  # the lapsed claim made no attempt


async def test_an_event_signup_call_confirms_attendance_counts_attendees_and_sends_an_sms(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    clock.set(datetime(2026, 12, 4, 1, 30, tzinfo=UTC))  # Friday 09:30: the call day for an event on 12-13
    coming = await open_task(client, tokens, "event_signup", event_date="2026-12-13")
    not_coming = await open_task(client, tokens, "event_signup", event_date="2026-12-13")
    for _ in range(2):  # equal due and request times: either may come first
        lease = (await claim(client, tokens)).json()
        task = lease["task"]
        attending = task["id"] == coming["id"]
        missing = await outcome(client, tokens, task["id"], lease["lease_token"], "reached", summary="called")
        assert (missing.status_code, missing.json()["rule"]) == (422, "§7.2.attendance-required")
        extra = {"attending": attending, "party_size": 3} if attending else {"attending": False}
        done = await outcome(client, tokens, task["id"], lease["lease_token"], "reached", summary="called", **extra)
        assert done.status_code == 200, done.text
    figure = await client.get("/callbacks/events/2026-12-13/attendance", headers=tokens.headers(Role.supervisor))
    assert figure.json() == {"event_date": "2026-12-13", "signups": 2, "reached": 2, "attending": 1,
                             "expected_attendees": 3}  # fmt: skip
    sms = [m for m in app.state.messaging.sent if m.key == f"event:{coming['id']}"]
    assert [(m.channel, m.to) for m in sms] == [("sms", coming["phone"])]
    assert not [m for m in app.state.messaging.sent if m.key == f"event:{not_coming['id']}"]
