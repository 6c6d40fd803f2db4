"""The red/black list (§4): nominated by the published rules from the month's analysis, reviewed
and decided by a supervisor by the end of the 10th of the next month (§4.6, one breach when
undecided), immutable once decided (the service and the database), corrected by audited new
versions, published as RedBlackListDecided; a merchant sees its own standing only.

Each test works in a month of its own, years ahead (the session's database is shared)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from ..kit import events_of, feed, hand_over, message, paid_order, unique


def supervisor(tokens: Tokens, who: str = "sam") -> dict[str, str]:
    return tokens.headers(Role.supervisor, subject=who)


async def complaint(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, merchant: str, channel: str, body: str
) -> dict[str, Any]:
    order_id = unique("TB")
    await feed(app, *paid_order(order_id, customer=unique("C"), merchant=merchant, paid=5000, at=clock.now()))
    return await hand_over(
        client, tokens, message(channel, order_id=order_id, received_at=clock.now().isoformat(), body=body)
    )


async def clock_of(client: httpx.AsyncClient, tokens: Tokens, month: str) -> dict[str, Any]:
    listed = await client.get("/sla/clocks", params={"aggregate_id": month, "limit": 50}, headers=supervisor(tokens))
    assert listed.status_code == 200, listed.text
    (found,) = [c for c in listed.json()["items"] if c["step"] == "§4.6"]
    return dict(found)


async def test_the_rules_are_published(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.get("/red-black-lists/rules", headers=supervisor(tokens))
    assert response.status_code == 200, response.text
    assert response.json()["rules"]["black_min_major"] == 1
    assert response.json()["rules"]["decide_by_day"] == 10
    assert "black_min_complaints" in response.json()["description"]
    assert (await client.get("/red-black-lists/rules", headers=tokens.headers(Role.agent))).status_code == 403


async def test_a_month_is_nominated_reviewed_decided_immutable_and_corrected(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    bad, good, plain = unique("M-BAD"), unique("M-GOOD"), unique("M-PLAIN")
    clock.set(datetime(2040, 3, 5, 2, 0, tzinfo=UTC))  # Monday 5 March 2040, 10:00 in Shanghai
    await complaint(app, client, tokens, clock, bad, "wechat", "再不处理我就找媒体曝光")  # major: black
    answered = await complaint(app, client, tokens, clock, good, "forum", "包装破损")
    await complaint(app, client, tokens, clock, plain, "email", "发错货")  # neither list
    clock.advance(timedelta(hours=2))
    reply = await client.post(f"/complaints/{answered['id']}/merchant-reply", json={"body": "已联系"},
                              headers=tokens.headers(Role.merchant, merchant_id=good))  # fmt: skip
    assert reply.status_code == 200, reply.text

    early = await client.post("/red-black-lists/2040-03/nominate", headers=supervisor(tokens))
    assert early.status_code == 422  # March is not over
    assert early.json()["rule"] == "§4.6.month-over"

    clock.set(datetime(2040, 4, 2, 2, 0, tzinfo=UTC))  # 2 April, 10:00
    nominated = await client.post("/red-black-lists/2040-03/nominate", headers=supervisor(tokens))
    assert nominated.status_code == 201, nominated.text
    listed = nominated.json()
    assert (listed["version"], listed["state"], listed["due_at"]) == (1, "nominated", "2040-04-10T16:00:00Z")
    entries = {e["merchant_id"]: e for e in listed["entries"]}
    assert entries[bad]["nominated"] == entries[bad]["standing"] == "black"
    assert entries[bad]["basis"].startswith("major complaints 1")
    assert entries[good]["nominated"] == "red"
    assert entries[good]["on_time_percent"] == 100.0
    assert plain not in entries
    again = await client.post("/red-black-lists/2040-03/nominate", headers=supervisor(tokens))
    assert (again.status_code, again.json()["id"]) == (200, listed["id"])
    running = await clock_of(client, tokens, "2040-03")
    assert (running["state"], running["due_at"]) == ("running", "2040-04-10T16:00:00Z")

    # Review: the plain merchant added to the black list with a note.
    reviewed = await client.put(
        f"/red-black-lists/2040-03/entries/{plain}",
        json={"standing": "black", "note": "repeat offender"},
        headers=supervisor(tokens),
    )
    assert reviewed.status_code == 200, reviewed.text
    added = {e["merchant_id"]: e for e in reviewed.json()["entries"]}[plain]
    assert (added["nominated"], added["standing"], added["complaints"], added["reviewed_by"]) == (
        None, "black", 1, "sam"
    )  # fmt: skip

    decided = await client.post("/red-black-lists/2040-03/decide", headers=supervisor(tokens, "sue"))
    assert decided.status_code == 200, decided.text
    assert (decided.json()["state"], decided.json()["decided_by"]) == ("decided", "sue")
    stopped = await clock_of(client, tokens, "2040-03")
    assert (stopped["state"], stopped["outcome"]) == ("stopped", "met")
    (event,) = await events_of(app, "red-black-list:2040-03", "RedBlackListDecided")
    assert (event["month"], event["list_version"], event["supersedes_version"]) == ("2040-03", 1, None)
    assert {m["merchant_id"] for m in event["black"]} == {bad, plain}
    assert [m["merchant_id"] for m in event["red"]] == [good]

    # Decided is immutable: in the service...
    for response in (
        await client.put(
            f"/red-black-lists/2040-03/entries/{good}",
            json={"standing": "none", "note": "x"},
            headers=supervisor(tokens),
        ),
        await client.post("/red-black-lists/2040-03/decide", headers=supervisor(tokens)),
    ):
        assert response.status_code == 409, response.text
        assert response.json()["rule"] == "§4.6.decided-immutable"
    # ... and in the database.
    async with app.state.db.sessionmaker() as session:
        for statement in (
            "UPDATE red_black_entries SET standing = 'none' WHERE list_id = :id",
            "DELETE FROM red_black_entries WHERE list_id = :id",
            "INSERT INTO red_black_entries (list_id, merchant_id, basis, standing, complaints, major,"
            " public_complaints, merchant_breaches) VALUES (:id, 'M-SNEAK', 'x', 'red', 0, 0, 0, 0)",
            "UPDATE red_black_lists SET decided_by = 'mallory' WHERE id = :id",
            "DELETE FROM red_black_lists WHERE id = :id",
        ):
            with pytest.raises(DBAPIError, match=r"red_black_list_decided|decided and immutable"):
                async with session.begin():
                    await session.execute(text(statement), {"id": listed["id"]})

    # A correction is a new version, decided at once; the first stays as it was.
    bad_correction = await client.post("/red-black-lists/2040-03/corrections", json={"reason": "x", "changes": [
        {"merchant_id": good, "standing": "none", "note": "a"}, {"merchant_id": good, "standing": "red", "note": "b"},
    ]}, headers=supervisor(tokens))  # fmt: skip
    assert bad_correction.status_code == 422
    corrected = await client.post("/red-black-lists/2040-03/corrections", json={
        "reason": "the complaint was the courier's", "changes": [{"merchant_id": plain, "standing": "none",
                                                                  "note": "courier liable (K2)"}],
    }, headers=supervisor(tokens, "sue"))  # fmt: skip
    assert corrected.status_code == 201, corrected.text
    v2 = corrected.json()
    assert (v2["version"], v2["state"], v2["supersedes_version"], v2["reason"]) == (
        2, "decided", 1, "the complaint was the courier's"
    )  # fmt: skip
    assert {e["merchant_id"]: e["standing"] for e in v2["entries"]}[plain] == "none"
    first = await client.get("/red-black-lists/2040-03", params={"version": 1}, headers=supervisor(tokens))
    assert {e["merchant_id"]: e["standing"] for e in first.json()["entries"]}[plain] == "black"
    latest = await client.get("/red-black-lists/2040-03", headers=supervisor(tokens))
    assert latest.json()["version"] == 2
    events = await events_of(app, "red-black-list:2040-03", "RedBlackListDecided")
    assert [(e["list_version"], e["supersedes_version"]) for e in events] == [(1, None), (2, 1)]
    assert {m["merchant_id"] for m in events[1]["black"]} == {bad}
    audit = await client.get("/red-black-lists", params={"month": "2040-03"}, headers=supervisor(tokens))
    assert [(v["version"], v["decided_by"], v["supersedes_version"]) for v in audit.json()["items"]] == [
        (2, "sue", 1), (1, "sue", None)
    ]  # fmt: skip
    paged = await client.get("/red-black-lists", params={"month": "2040-03", "limit": 1}, headers=supervisor(tokens))
    assert [v["version"] for v in paged.json()["items"]] == [2]
    rest = await client.get("/red-black-lists", params={"month": "2040-03", "limit": 1,
                            "cursor": paged.json()["next_cursor"]}, headers=supervisor(tokens))  # fmt: skip
    assert [v["version"] for v in rest.json()["items"]] == [1]
    assert rest.json()["next_cursor"] is None

    # Merchants: each sees its own standing only, on the latest decided version.
    for merchant, standing in ((bad, "black"), (good, "red"), (plain, "none")):
        own = await client.get("/red-black-lists/2040-03/standing",
                               headers=tokens.headers(Role.merchant, merchant_id=merchant))  # fmt: skip
        assert own.status_code == 200, own.text
        assert (own.json()["merchant_id"], own.json()["standing"], own.json()["version"]) == (merchant, standing, 2)
    whole = await client.get("/red-black-lists/2040-03", headers=tokens.headers(Role.merchant, merchant_id=bad))
    assert whole.status_code == 403
    assert (
        await client.get("/red-black-lists", headers=tokens.headers(Role.merchant, merchant_id=bad))
    ).status_code == 403
    for role in (Role.agent, Role.merchant):
        refused = await client.post("/red-black-lists/2040-03/corrections", json={"reason": "x", "changes": [
            {"merchant_id": bad, "standing": "none", "note": "x"}]}, headers=tokens.headers(role))  # fmt: skip
        assert refused.status_code == 403


async def test_an_undecided_list_breaches_once_at_the_end_of_the_10th(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2041, 6, 1, 2, 0, tzinfo=UTC))  # 1 June 2041, 10:00 in Shanghai
    nominated = await client.post("/red-black-lists/2041-05/nominate", headers=supervisor(tokens))
    assert nominated.status_code == 201, nominated.text
    # The end of the 10th in Shanghai is 16:00 UTC on the 10th.
    clock.set(datetime(2041, 6, 10, 15, 59, 59, tzinfo=UTC))
    await app.state.sla_scheduler.tick()
    assert await events_of(app, "2041-05", "SlaBreached") == []
    assert (await clock_of(client, tokens, "2041-05"))["breached_at"] is None
    clock.set(datetime(2041, 6, 10, 16, 0, 1, tzinfo=UTC))
    await app.state.sla_scheduler.tick()
    await app.state.sla_scheduler.tick()
    clock.advance(timedelta(days=3))
    await app.state.sla_scheduler.tick()
    (breach,) = await events_of(app, "2041-05", "SlaBreached")
    assert breach["step"] == "§4.6"
    decided = await client.post("/red-black-lists/2041-05/decide", headers=supervisor(tokens))
    assert decided.status_code == 200, decided.text
    late = await clock_of(client, tokens, "2041-05")
    assert (late["state"], late["outcome"]) == ("stopped", "breached")
    assert len(await events_of(app, "2041-05", "SlaBreached")) == 1  # the decision announces no second breach


async def test_the_job_nominates_the_previous_month_on_the_1st(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2042, 8, 31, 16, 0, tzinfo=UTC))  # 1 September 2042, 00:00 in Shanghai
    await app.state.sla_scheduler.tick()
    assert (await client.get("/red-black-lists/2042-08", headers=supervisor(tokens))).status_code == 404
    clock.advance(timedelta(minutes=31))  # 00:31
    await app.state.sla_scheduler.tick()
    found = await client.get("/red-black-lists/2042-08", headers=supervisor(tokens))
    assert found.status_code == 200, found.text
    assert (found.json()["version"], found.json()["nominated_by"]) == (1, "tickets")
    assert (await clock_of(client, tokens, "2042-08"))["state"] == "running"


async def test_no_decided_list_yet_is_a_404_for_the_merchant(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.get("/red-black-lists/2043-01/standing", headers=tokens.headers(Role.merchant,
                                merchant_id="M-001"))  # fmt: skip
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    review = await client.put("/red-black-lists/2043-01/entries/M-001", json={"standing": "red", "note": "x"},
                              headers=supervisor(tokens))  # fmt: skip
    assert review.status_code == 404
    correct = await client.post("/red-black-lists/2043-01/corrections", json={"reason": "x", "changes": [
        {"merchant_id": "M-001", "standing": "none", "note": "x"}]}, headers=supervisor(tokens))  # fmt: skip
    assert (correct.status_code, correct.json()["rule"]) == (409, "§4.6.correct-decided-only")
