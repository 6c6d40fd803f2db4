"""A case's misunderstanding path W1 → W5 and the marketplace's amendment policy (W3, W4):
allowed or forbidden, how many times, within how many days, each at its limit; follow-ups every
3 wd until amended or the window closes ("not amended: window closed")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from aftersales_calendar import BusinessCalendar, WorkingDays
from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_sla import JobContext
from reviews_service.reviews.jobs import close_amend_windows

from ..kit import act, bad_case, events_of, review, take_in


async def _answered(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, **kw: Any) -> dict[str, Any]:
    case = await bad_case(client, tokens, clock.now(), **kw)
    await act(client, tokens, case["id"], "call", {"finding": "misunderstanding", "note": "thought it was green tea"})
    return await act(client, tokens, case["id"], "answer")


async def _w4_due(client: httpx.AsyncClient, tokens: Tokens, case_id: str) -> str:
    clocks = (
        await client.get(
            "/sla/clocks",
            params={"aggregate_id": case_id, "step": "W4", "status": "open"},
            headers=tokens.headers(Role.supervisor),
        )
    ).json()["items"]
    assert len(clocks) == 1, clocks
    due: str = clocks[0]["due_at"]
    return due


async def test_misunderstanding_runs_w1_to_w5(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, database: Database
) -> None:
    body = review(clock.now())
    case_id = (await take_in(client, tokens, body))["case_id"]
    clock.advance(timedelta(hours=3))
    called = await act(client, tokens, case_id, "call", {"finding": "misunderstanding", "note": "storage misread"})
    assert (called["state"], called["path"], called["called_by"]) == ("misunderstanding", "misunderstanding", "ann")
    assert (await act(client, tokens, case_id, "answer"))["state"] == "answered"
    asked = await act(client, tokens, case_id, "ask-amend", {"note": "asked kindly"})
    assert (asked["state"], asked["amend_requests"], asked["amend_max_requests"]) == ("amend_requested", 1, 1)
    # Taobao: 30 days from the review.
    assert asked["amend_window_closes_at"] == (
        clock.now() - timedelta(hours=3) + timedelta(days=30)
    ).isoformat().replace("+00:00", "Z")
    first_due = await _w4_due(client, tokens, case_id)
    clock.advance(timedelta(days=1))
    await act(client, tokens, case_id, "follow-up", {"note": "not yet"})
    assert await _w4_due(client, tokens, case_id) > first_due  # the next follow-up is 3 wd from this one
    clock.advance(timedelta(hours=5))
    done = await take_in(client, tokens, {**body, "stars": 5, "updated_at": clock.now().isoformat()})
    assert done["case_state"] == "amended"
    history = (await client.get(f"/cases/{case_id}/history", headers=tokens.headers(Role.agent))).json()
    assert [h["step"] for h in history] == ["W1", "W1", "W2", "W3", "W4", "W5"]
    assert (
        await client.get(
            "/sla/clocks", params={"aggregate_id": case_id, "status": "open"}, headers=tokens.headers(Role.supervisor)
        )
    ).json()["items"] == []


async def test_the_follow_up_clock_is_three_working_days(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case = await _answered(client, tokens, clock)
    await act(client, tokens, case["id"], "ask-amend")
    calendar = BusinessCalendar()
    expected = calendar.add(clock.now(), WorkingDays(3))
    assert await _w4_due(client, tokens, case["id"]) == expected.isoformat().replace("+00:00", "Z")


async def test_taobao_allows_one_request_and_refuses_the_second(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case = await _answered(client, tokens, clock)
    await act(client, tokens, case["id"], "ask-amend")
    again = await act(client, tokens, case["id"], "ask-amend", status=422)
    assert (again["rule"], again["max_requests"]) == ("W3.amend-requests-used", 1)


async def test_a_marketplace_that_forbids_asking_refuses_w3_and_the_case_ends_without_it(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, database: Database
) -> None:
    case = await _answered(client, tokens, clock, marketplace="jd")
    refused = await act(client, tokens, case["id"], "ask-amend", status=422)
    assert refused["rule"] == "W3.marketplace-forbids-asking"
    assert (await client.get(f"/cases/{case['id']}", headers=tokens.headers(Role.agent))).json()["state"] == "answered"
    ended = await act(client, tokens, case["id"], "end-without-amendment", {"note": "jd forbids asking"})
    assert (ended["state"], ended["outcome"]) == ("not_amended", "not amended: jd forbids asking")
    assert [n for n, _ in await events_of(database, case["id"])] == ["ReviewCallRequested", "ReviewCaseClosed"]


async def test_the_window_at_its_limit_and_the_operators_setting(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    supervisor = tokens.headers(Role.supervisor, subject="sam")
    policy = {"allowed": True, "max_requests": 2, "window_days": 7}
    set_ = await client.put("/marketplaces/tmall/amend-policy", json=policy, headers=supervisor)
    assert set_.status_code == 200, set_.text
    assert (set_.json()["source"], set_.json()["updated_by"]) == ("operator", "sam")
    written = clock.now()
    early = await _answered(client, tokens, clock, marketplace="tmall")
    late = await _answered(client, tokens, clock, marketplace="tmall")
    clock.advance(timedelta(days=7) - timedelta(seconds=1))  # the last second of the window
    await act(client, tokens, early["id"], "ask-amend")
    assert (await act(client, tokens, early["id"], "ask-amend"))["amend_requests"] == 2  # twice, as set
    assert (await act(client, tokens, early["id"], "ask-amend", status=422))["rule"] == "W3.amend-requests-used"
    clock.advance(timedelta(seconds=1))  # 7 days after the review: closed
    closed = await act(client, tokens, late["id"], "ask-amend", status=422)
    assert (closed["rule"], closed["closes_at"]) == (
        "W3.amend-window-closed",
        (written + timedelta(days=7)).isoformat(),
    )
    # Back to the published rule for the other tests.
    published = {"allowed": True, "max_requests": 1, "window_days": 30}
    assert (await client.put("/marketplaces/tmall/amend-policy", json=published, headers=supervisor)).status_code == 200


async def test_follow_ups_stop_when_the_window_closes_and_the_case_ends_not_amended(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, database: Database
) -> None:
    case = await _answered(client, tokens, clock)
    other = await _answered(client, tokens, clock)
    for each in (case, other):
        await act(client, tokens, each["id"], "ask-amend")
    early = await act(client, tokens, case["id"], "close-window", status=422)
    assert early["rule"] == "W4.window-still-open"
    clock.advance(timedelta(days=30))
    late = await act(client, tokens, case["id"], "follow-up", status=422)
    assert late["rule"] == "W4.amend-window-closed"
    closed = await act(client, tokens, case["id"], "close-window")
    assert (closed["state"], closed["outcome"]) == ("not_amended", "not amended: window closed")
    # The hourly job closes the rest, once.
    async with database.sessionmaker() as session:
        calendar = BusinessCalendar()
        context = JobContext(session, clock.now(), clock.now(), calendar, clock)
        await close_amend_windows(context)
        await close_amend_windows(context)
        await session.commit()
    swept = (await client.get(f"/cases/{other['id']}", headers=tokens.headers(Role.agent))).json()
    assert (swept["state"], swept["outcome"]) == ("not_amended", "not amended: window closed")
    # The W4 follow-up was overdue meanwhile (SlaBreached); the case closed once.
    names = [n for n, _ in await events_of(database, other["id"]) if not n.startswith("Sla")]
    assert names == ["ReviewCallRequested", "ReviewCaseClosed"]


async def test_the_state_machine_and_roles_refuse_what_they_must(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case = await bad_case(client, tokens, clock.now())
    early = await act(client, tokens, case["id"], "ask-amend", status=409)
    assert (early["current_state"], early["allowed_actions"]) == ("awaiting_call", ["call", "amended", "still-bad"])
    for role in (Role.customer, Role.warehouse, Role.finance, Role.service):
        await act(client, tokens, case["id"], "call", {"finding": "quality", "note": "x"}, role=role, status=403)
    assert (await client.get(f"/cases/{case['id']}", headers=tokens.headers(Role.customer))).status_code == 403
    bad = await client.post(
        f"/cases/{case['id']}/call", json={"finding": "rude", "note": "x"}, headers=tokens.headers(Role.agent)
    )
    assert bad.status_code == 422
    assert (
        await client.get("/cases/0b0e7c9e-8f6a-4bb0-9d4c-3e2c5a1f0c11", headers=tokens.headers(Role.agent))
    ).status_code == 404
    # Only a supervisor sets a marketplace's policy, and only for a marketplace that exists.
    policy = {"allowed": False, "max_requests": 0, "window_days": 0}
    assert (
        await client.put("/marketplaces/jd/amend-policy", json=policy, headers=tokens.headers(Role.agent))
    ).status_code == 403
    assert (
        await client.put("/marketplaces/ebay/amend-policy", json=policy, headers=tokens.headers(Role.supervisor))
    ).status_code == 404
    nonsense = {"allowed": True, "max_requests": 0, "window_days": 30}
    assert (
        await client.put("/marketplaces/jd/amend-policy", json=nonsense, headers=tokens.headers(Role.supervisor))
    ).status_code == 422


async def test_cases_list_and_filter(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock) -> None:
    await bad_case(client, tokens, clock.now(), marketplace="douyin")
    listed = await client.get(
        "/cases", params={"marketplace": "douyin", "state": "awaiting_call"}, headers=tokens.headers(Role.agent)
    )
    assert listed.status_code == 200
    assert listed.json()["items"]
    assert all(i["marketplace"] == "douyin" for i in listed.json()["items"])
    policies = (await client.get("/marketplaces", headers=tokens.headers(Role.agent))).json()
    assert {p["marketplace"]: (p["allowed"], p["max_requests"], p["window_days"]) for p in policies}["taobao"] == (
        True,
        1,
        30,
    )
