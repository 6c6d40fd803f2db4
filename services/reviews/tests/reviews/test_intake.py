"""Review intake: idempotent per (marketplace, review id, updated at); a neutral or negative review
opens one case with its 24 h call counted from the review's own time; updates to good end the case
(W5), updates that stay bad are recorded; an older version never overwrites a newer one."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner

from ..kit import events_of, paid_order, review, take_in


async def _clocks(client: httpx.AsyncClient, tokens: Tokens, case_id: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/sla/clocks", params={"aggregate_id": case_id}, headers=tokens.headers(Role.supervisor)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_good_review_opens_no_case_and_a_resend_has_no_effect(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    body = review(clock.now(), stars=5)
    first = await take_in(client, tokens, body)
    assert (first["outcome"], first["rating"], first["case_id"]) == ("applied", "good", None)
    again = await take_in(client, tokens, body)
    assert (again["outcome"], again["review"]) == ("duplicate", first["review"])


@pytest.mark.parametrize(("stars", "rating"), [(3, "neutral"), (2, "negative"), (1, "negative")])
async def test_a_neutral_or_negative_review_opens_one_case_and_asks_for_the_call(
    client: httpx.AsyncClient,
    tokens: Tokens,
    runner: ConsumerRunner,
    database: Database,
    clock: ManualClock,
    stars: int,
    rating: str,
) -> None:
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    await paid_order(runner, order_id, clock.now() - timedelta(days=5), phone="13900001111")
    body = review(clock.now(), stars=stars, order_id=order_id)
    taken = await take_in(client, tokens, body)
    assert (taken["outcome"], taken["rating"], taken["case_state"]) == ("applied", rating, "awaiting_call")
    assert (await take_in(client, tokens, body))["case_id"] == taken["case_id"]  # the resend: the same case

    case = (await client.get(f"/cases/{taken['case_id']}", headers=tokens.headers(Role.agent))).json()
    due = clock.now() + timedelta(hours=24)
    assert case["call_due_at"] == due.isoformat().replace("+00:00", "Z")
    assert (case["phone"], case["order_id"], case["allowed_actions"]) == (
        "13900001111",
        order_id,
        ["call", "amended", "still-bad"],
    )
    events = await events_of(database, taken["case_id"])
    assert [name for name, _ in events] == ["ReviewCallRequested"]
    data = events[0][1]
    assert (data["order_id"], data["customer_id"], data["phone"], data["stars"]) == (
        order_id,
        "C-42",
        "13900001111",
        stars,
    )
    assert data["due_at"] == case["call_due_at"]
    [call_clock] = await _clocks(client, tokens, taken["case_id"])
    assert (call_clock["step"], call_clock["due_at"]) == ("W1", case["call_due_at"])


async def test_a_review_ingested_late_keeps_its_due_time_from_the_review(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, database: Database
) -> None:
    written = clock.now() - timedelta(hours=20)
    taken = await take_in(client, tokens, review(written))
    case = (await client.get(f"/cases/{taken['case_id']}", headers=tokens.headers(Role.agent))).json()
    assert case["call_due_at"] == (written + timedelta(hours=24)).isoformat().replace("+00:00", "Z")
    [call_clock] = await _clocks(client, tokens, taken["case_id"])
    assert call_clock["status"] == "at_risk"  # 4 h left: inside the warning lead
    # Ingested after its 24 h: born breached.
    older = await take_in(client, tokens, review(clock.now() - timedelta(hours=30)))
    [late_clock] = await _clocks(client, tokens, older["case_id"])
    assert late_clock["status"] == "breached"


async def test_updates_that_stay_bad_are_recorded_and_a_change_to_good_ends_the_case(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, database: Database
) -> None:
    written = clock.now()
    body = review(written, stars=3)
    case_id = (await take_in(client, tokens, body))["case_id"]
    clock.advance(timedelta(hours=2))
    worse = await take_in(client, tokens, {**body, "stars": 1, "updated_at": clock.now().isoformat()})
    assert (worse["case_id"], worse["case_state"]) == (case_id, "awaiting_call")
    clock.advance(timedelta(hours=1))
    better = await take_in(client, tokens, {**body, "stars": 5, "updated_at": clock.now().isoformat()})
    assert (better["case_id"], better["case_state"], better["rating"]) == (case_id, "amended", "good")

    case = (await client.get(f"/cases/{case_id}", headers=tokens.headers(Role.agent))).json()
    assert (case["updates_while_bad"], case["outcome"], case["allowed_actions"]) == (1, "amended", [])
    assert case["closed_at"] is not None
    history = (await client.get(f"/cases/{case_id}/history", headers=tokens.headers(Role.agent))).json()
    assert [(h["action"], h["step"], h["to_state"]) for h in history] == [
        ("open", "W1", "awaiting_call"),
        ("still-bad", "W4", "awaiting_call"),
        ("amended", "W5", "amended"),
    ]
    assert [c["state"] for c in await _clocks(client, tokens, case_id)] == ["stopped"]  # the call is not needed
    assert [name for name, _ in await events_of(database, case_id)] == ["ReviewCallRequested", "ReviewCaseClosed"]

    # A review that turns bad again after its case ended opens a new case, due from that update.
    clock.advance(timedelta(hours=1))
    again = await take_in(client, tokens, {**body, "stars": 2, "updated_at": clock.now().isoformat()})
    assert again["case_id"] not in (None, case_id)
    new_case = (await client.get(f"/cases/{again['case_id']}", headers=tokens.headers(Role.agent))).json()
    assert new_case["bad_since"] == clock.now().isoformat().replace("+00:00", "Z")


async def test_an_older_version_arriving_late_changes_nothing(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    written = clock.now() - timedelta(hours=3)
    body = review(written, stars=2)
    newer = await take_in(client, tokens, {**body, "stars": 5, "updated_at": clock.now().isoformat()})
    assert (newer["rating"], newer["case_id"]) == ("good", None)
    older = await take_in(client, tokens, body)
    assert (older["outcome"], older["rating"], older["case_id"]) == ("stale", "good", None)


async def test_only_the_marketplace_gateway_posts_reviews_and_bad_input_names_the_field(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    body = review(clock.now())
    assert (await client.post("/reviews", json=body)).status_code == 401
    for role in (Role.agent, Role.supervisor, Role.customer):
        assert (await client.post("/reviews", json=body, headers=tokens.headers(role))).status_code == 403
    unknown = await client.post("/reviews", json={**body, "marketplace": "ebay"}, headers=tokens.headers(Role.service))
    assert unknown.status_code == 422
    assert (unknown.json()["rule"], unknown.json()["field"]) == ("intake.marketplace-known", "body.marketplace")
    for bad in (
        {"stars": 6},
        {"stars": 0},
        {"updated_at": (clock.now() - timedelta(seconds=1)).isoformat()},
        {"reviewed_at": "2026-11-24T10:00:00"},
    ):
        refused = await client.post("/reviews", json={**body, **bad}, headers=tokens.headers(Role.service))
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"


async def test_a_page_of_reviews_in_one_transaction_each_with_its_outcome_in_order(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    gateway = tokens.headers(Role.service, subject="gateway")
    bad, good = review(clock.now(), stars=2), review(clock.now(), stars=5)
    changed = {**bad, "stars": 4, "updated_at": (clock.now() + timedelta(minutes=1)).isoformat()}
    page = await client.post("/reviews:batch", json={"reviews": [bad, good, changed, good]}, headers=gateway)
    assert page.status_code == 200, page.text
    results = page.json()["results"]
    assert [(r["outcome"], r["rating"], r["case_state"]) for r in results] == [
        ("applied", "negative", "awaiting_call"),
        ("applied", "good", None),
        ("applied", "good", "amended"),  # the same review, later in the page: its case ends
        ("duplicate", "good", None),
    ]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert results[0]["case_id"] == results[2]["case_id"]
    too_many = await client.post("/reviews:batch", json={"reviews": [review(clock.now())] * 101}, headers=gateway)
    assert too_many.status_code == 422
    assert (
        await client.post("/reviews:batch", json={"reviews": [bad]}, headers=tokens.headers(Role.agent))
    ).status_code == 403


async def test_a_refused_review_of_a_page_names_its_index_and_field_and_the_others_land(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, database: Database
) -> None:
    gateway = tokens.headers(Role.service, subject="gateway")
    first, last = review(clock.now(), stars=1), review(clock.now(), stars=3)
    items: list[Any] = [
        first,
        {**review(clock.now()), "marketplace": "ebay"},
        {**review(clock.now()), "stars": 6},
        {**review(clock.now()), "text": "crushed\x00tea"},
        "not a review",
        last,
    ]
    page = await client.post("/reviews:batch", json={"reviews": items}, headers=gateway)
    assert page.status_code == 200, page.text
    results = page.json()["results"]
    assert [(r["index"], r["outcome"]) for r in results] == [
        (0, "applied"),
        (1, "rejected"),
        (2, "rejected"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "applied"),
    ]
    problems = [r["problem"] for r in results[1:5]]
    assert [(p["index"], p["field"], p["rule"], p["status"]) for p in problems] == [
        (1, "body.reviews[1].marketplace", "intake.marketplace-known", 422),
        (2, "body.reviews[2].stars", None, 422),
        (3, "body.reviews[3].text", "text.no-nul-character", 422),
        (4, "body.reviews[4]", None, 422),
    ]
    assert problems[0]["type"].endswith("/rule-violation")
    assert problems[1]["type"].endswith("/validation-error")
    assert "ebay" in problems[0]["detail"]
    assert all(r["problem"] is None for r in (results[0], results[5]))
    for taken in (results[0], results[5]):
        assert taken["case_state"] == "awaiting_call"
        assert [name for name, _ in await events_of(database, taken["case_id"])] == ["ReviewCallRequested"]
    # The page again: every review that landed is a duplicate with its case; the refused stay refused.
    again = (await client.post("/reviews:batch", json={"reviews": items}, headers=gateway)).json()["results"]
    assert [r["outcome"] for r in again] == ["duplicate", *["rejected"] * 4, "duplicate"]
    assert [(r["case_id"], r["review"]) for r in (again[0], again[5])] == [
        (r["case_id"], r["review"]) for r in (results[0], results[5])
    ]
    assert (await take_in(client, tokens, {**review(clock.now()), "review_id": items[2]["review_id"]}))[
        "outcome"
    ] == "applied"  # nothing of a refused review was kept


async def test_a_page_opens_each_case_as_one_review_at_a_time_does(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, database: Database, clock: ManualClock
) -> None:
    """The page's statements write what POST /reviews writes: the case with the order's phone,
    its 24 h call from the review's own time, its audit row and event."""
    gateway = tokens.headers(Role.service, subject="gateway")
    order_id = f"TB-{uuid.uuid4().hex[:10]}"
    await paid_order(runner, order_id, clock.now() - timedelta(days=5), phone="13900002222")
    written = [clock.now() - timedelta(hours=h) for h in (1, 20, 30)]
    one = [review(at, stars=2, order_id=order_id) for at in written]
    many = [review(at, stars=2, order_id=order_id) for at in written]
    singles = [await take_in(client, tokens, body) for body in one]
    page = await client.post("/reviews:batch", json={"reviews": many}, headers=gateway)
    assert page.status_code == 200, page.text
    for single, paged in zip(singles, page.json()["results"], strict=True):
        cases = [
            (await client.get(f"/cases/{r['case_id']}", headers=tokens.headers(Role.agent))).json()
            for r in (single, paged)
        ]
        keep = ("call_due_at", "bad_since", "phone", "customer_id", "order_id", "rating", "state", "allowed_actions")
        one_case, paged_case = ({k: c[k] for k in keep} for c in cases)
        assert one_case == paged_case
        clocks = [await _clocks(client, tokens, r["case_id"]) for r in (single, paged)]
        one_clocks, paged_clocks = ([(c["step"], c["due_at"], c["status"]) for c in found] for found in clocks)
        assert one_clocks == paged_clocks
        histories = [
            (await client.get(f"/cases/{r['case_id']}/history", headers=tokens.headers(Role.agent))).json()
            for r in (single, paged)
        ]
        one_trail, paged_trail = ([(h["action"], h["step"], h["to_state"], h["reason"]) for h in f] for f in histories)
        assert one_trail == paged_trail
        events = [await events_of(database, r["case_id"]) for r in (single, paged)]
        drop = ("case_id", "review_id", "requested_at")
        one_events, paged_events = ([{k: v for k, v in d.items() if k not in drop} for _, d in f] for f in events)
        assert one_events == paged_events
        assert events[1][0][1]["phone"] == "13900002222"


# Not intake's own: the calendar and the SLA policies, read again at most every 2 s by any
# request, and the outbox relay publishing on its own connection of the same engine.
REFRESHES = ("SELECT calendar_overrides.", "SELECT calendar_settings.", "SELECT sla_policy_changes.")
RELAY = (
    "SELECT pg_try_advisory_xact_lock(",
    "SELECT outbox.",
    "UPDATE outbox ",
    "SELECT min(outbox.",
    "DELETE FROM outbox",
)
BROKER_WATCH = (
    "SELECT relay_markers",
    "INSERT INTO relay_markers",
    "UPDATE relay_markers",
    "DELETE FROM relay_markers",
)


async def test_a_new_review_is_four_statements_and_a_page_of_them_three_and_a_copy(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, app: FastAPI
) -> None:
    """The hot path (ADR 0024): the version, review and case in one statement, then the audit
    row, the event and the W1 clock; a good review is the one statement. A page of new reviews
    costs what one does: its events go in by COPY, which is not a cursor statement."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not statement.startswith(REFRESHES + RELAY + BROKER_WATCH):
            sent.append(statement)

    engine = app.state.db.engine.sync_engine
    gateway = tokens.headers(Role.service, subject="gateway")
    event.listen(engine, "before_cursor_execute", record)
    try:
        counts = []
        for payload in (
            review(clock.now(), stars=2),
            review(clock.now(), stars=5),
            {"reviews": [review(clock.now(), stars=2) for _ in range(20)]},
        ):
            sent.clear()
            path = "/reviews:batch" if "reviews" in payload else "/reviews"
            assert (await client.post(path, json=payload, headers=gateway)).status_code == 200
            counts.append([" ".join(s.split()[:3]) for s in sent])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    bad = ["WITH page AS", "INSERT INTO workflow_transitions", "INSERT INTO outbox", "INSERT INTO sla_clocks"]
    assert counts == [bad, bad[:1], [s for s in bad if s != "INSERT INTO outbox"]]


async def test_resends_and_versions_racing_open_one_case(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, database: Database
) -> None:
    gateway = tokens.headers(Role.service, subject="gateway")
    body = review(clock.now(), stars=2)
    later = {**body, "stars": 1, "updated_at": (clock.now() + timedelta(minutes=1)).isoformat()}
    results = await asyncio.gather(
        *(client.post("/reviews", json=b, headers=gateway) for b in (body, body, later, body, later))
    )
    assert all(r.status_code == 200 for r in results), [r.text for r in results]
    outcomes = sorted(r.json()["outcome"] for r in results)
    assert outcomes.count("applied") + outcomes.count("stale") == 2  # one per version
    assert outcomes.count("duplicate") == 3
    assert len({r.json()["case_id"] for r in results}) == 1
    case_id = results[0].json()["case_id"]
    assert [n for n, _ in await events_of(database, case_id)] == ["ReviewCallRequested"]
