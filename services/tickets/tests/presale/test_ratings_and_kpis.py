"""§9: post-contact ratings (an idempotent intake) and the per-agent KPIs, each with its formula,
in buckets of the calendar's zone (Asia/Shanghai): an inquiry at 23:30 local on 30 November is
15:30 UTC that day and counts on the 30th, one at 00:30 local on 1 December is 16:30 UTC on the
30th and counts on 1 December and in December. Supervisors see every agent, agents their own."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from ..kit import unique
from .kit import asked, chat, placed


def _rating(agent: str, score: Any, rated_at: str = "2026-11-30T23:30:00+08:00", **overrides: Any) -> dict[str, Any]:
    body = {
        "channel": "shop_chat", "channel_rating_id": unique("r"), "contact_type": "inquiry", "contact_id": unique("i"),
        "agent": agent, "score": score, "rated_at": rated_at,
    }  # fmt: skip
    return body | overrides


async def test_a_rating_is_taken_once_per_channel_rating(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = _rating("alice", 5, comment="回复很快")
    first = await client.post("/ratings/intake", json=body, headers=tokens.headers(Role.service))
    again = await client.post("/ratings/intake", json=body | {"score": 1}, headers=tokens.headers(Role.service))
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["score"] == 5
    assert (first.json()["satisfied"], first.json()["rated_at"]) == (True, "2026-11-30T15:30:00Z")
    for score in (0, 6, "5", 4.0):
        refused = await client.post(
            "/ratings/intake", json=_rating("alice", score), headers=tokens.headers(Role.service)
        )
        assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "body.score"), score
    for role in (Role.agent, Role.customer):
        assert (
            await client.post("/ratings/intake", json=_rating("a", 5), headers=tokens.headers(role))
        ).status_code == 403
    listed = await client.get("/ratings", params={"agent": "alice"}, headers=tokens.headers(Role.agent))
    assert first.json()["id"] in [r["id"] for r in listed.json()["items"]]


async def _kpis(client: httpx.AsyncClient, tokens: Tokens, role: Role, subject: str, **params: Any) -> httpx.Response:
    return await client.get("/kpis/agents", params=params, headers=tokens.headers(role, subject=subject))


async def test_per_agent_kpis_with_their_formulas_in_local_buckets(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    agent, other = unique("agent"), unique("agent")
    # 30 Nov 23:30 local (15:30 UTC): converted to a paid order of 12900 (placed 23:35), replied after 40 s
    c1, c2 = unique("C"), unique("C")
    late_evening = "2026-11-30T23:30:00+08:00"
    await asked(client, tokens, chat(c1, late_evening, agent=agent, first_reply_at="2026-11-30T23:30:40+08:00"))
    await placed(app, unique("TB"), c1, datetime(2026, 11, 30, 15, 35, tzinfo=UTC), total=13000, paid=12900)
    # same evening after that order, the same customer again (reception counts customers once): not
    # replied, and not converted (an order converts the inquiries asked before it, within their window)
    await asked(client, tokens, chat(c1, "2026-11-30T23:40:00+08:00", agent=agent))
    # 1 Dec 00:30 local (still 30 Nov in UTC): converted to an order of 10000 (not paid), replied after 80 s
    await asked(client, tokens, chat(c2, "2026-12-01T00:30:00+08:00", agent=agent,
                                     first_reply_at="2026-12-01T00:31:20+08:00"))  # fmt: skip
    await placed(app, unique("TB"), c2, datetime(2026, 12, 1, 2, 0, tzinfo=UTC), total=10000)
    await asked(client, tokens, chat(unique("C"), "2026-11-30T12:00:00+08:00", agent=other))
    # ratings: 9 satisfied of 10 on the 30th (local) → exactly the 90% target
    for score in (5, 5, 5, 4, 4, 4, 5, 5, 4, 2):
        made = await client.post("/ratings/intake", json=_rating(agent, score), headers=tokens.headers(Role.service))
        assert made.status_code == 201, made.text
    # a refund follow-up on the 30th local (clock at 15:30 UTC)
    clock.set(datetime(2026, 11, 30, 15, 30, tzinfo=UTC))
    for outcome in ("retained", "refunded"):
        followed = await client.post("/refund-follow-ups", json={"order_id": unique("TB"), "outcome": outcome},
                                     headers=tokens.headers(Role.agent, subject=agent))  # fmt: skip
        assert followed.status_code == 201, followed.text
    # an A3 clock the agent stops in time, on the 30th local
    made = await asked(client, tokens, chat(unique("C"), "2026-11-30T23:00:00+08:00", agent=agent))
    staff = tokens.headers(Role.agent, subject=agent)
    await client.post(f"/inquiries/{made['id']}/detail-question", json={"question": "q", "promised_via": "chat"},
                      headers=staff)  # fmt: skip
    await client.post(f"/inquiries/{made['id']}/detail-answer", json={"answer": "a", "told_via": "chat"},
                      headers=staff)  # fmt: skip

    response = await _kpis(client, tokens, Role.supervisor, "sam", **{"from": "2026-11-30", "to": "2026-12-01"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["zone"], report["bucket"], report["agent"]) == ("Asia/Shanghai", "day", None)
    for figure in ("inquiry_conversion", "reply_rate", "first_reply_seconds_avg", "average_order_value_minor",
                   "reception_volume", "refund_retention_rate", "on_time_rate", "csat"):  # fmt: skip
        assert report["formulas"][figure], figure
    assert report["targets"]["csat"] == 0.9
    rows = {(r["agent"], r["bucket_start"]): r for r in report["rows"]}
    nov30, dec1 = rows[(agent, "2026-11-30")], rows[(agent, "2026-12-01")]
    assert (nov30["inquiries"], nov30["reception_volume"], nov30["converted"], nov30["replied"]) == (3, 2, 1, 1)
    assert nov30["inquiry_conversion"] == 1 / 3
    assert nov30["reply_rate"] == 1 / 3
    assert (nov30["first_reply_seconds_avg"], nov30["average_order_value_minor"]) == (40.0, 12900)
    assert (nov30["ratings"], nov30["satisfied"], nov30["csat"], nov30["csat_meets_target"]) == (10, 9, 0.9, True)
    assert (nov30["refund_follow_ups"], nov30["refunds_retained"], nov30["refund_retention_rate"]) == (2, 1, 0.5)
    assert nov30["on_time_by_step"] == {"A3": {"stopped": 1, "on_time": 1, "rate": 1.0}}
    assert (dec1["inquiries"], dec1["converted"], dec1["first_reply_seconds_avg"]) == (1, 1, 80.0)
    assert dec1["average_order_value_minor"] == 10000
    assert dec1["ratings"] == 0
    assert dec1["csat"] is None
    assert rows[(other, "2026-11-30")]["inquiries"] == 1

    # months: the 00:30 inquiry is December's; one more unhappy rating brings November under target
    monthly = await _kpis(client, tokens, Role.supervisor, "sam", bucket="month", agent=agent,
                          **{"from": "2026-11-01", "to": "2026-12-31"})  # fmt: skip
    by_month = {r["bucket_start"]: r for r in monthly.json()["rows"]}
    assert (by_month["2026-11-01"]["inquiries"], by_month["2026-12-01"]["inquiries"]) == (3, 1)
    assert by_month["2026-12-01"]["average_order_value_minor"] == 10000
    await client.post("/ratings/intake", json=_rating(agent, 3), headers=tokens.headers(Role.service))
    monthly = await _kpis(client, tokens, Role.supervisor, "sam", bucket="month", agent=agent,
                          **{"from": "2026-11-01", "to": "2026-12-31"})  # fmt: skip
    november = next(r for r in monthly.json()["rows"] if r["bucket_start"] == "2026-11-01")
    assert (november["csat"], november["csat_meets_target"]) == (9 / 11, False)
    # weeks run Monday to Sunday: Monday 30 November starts the week of both inquiries
    weekly = await _kpis(client, tokens, Role.supervisor, "sam", bucket="week", agent=agent,
                         **{"from": "2026-11-23", "to": "2026-12-06"})  # fmt: skip
    assert [(r["bucket_start"], r["inquiries"]) for r in weekly.json()["rows"]] == [("2026-11-30", 4)]
    quarterly = await _kpis(client, tokens, Role.supervisor, "sam", bucket="quarter", agent=agent,
                            **{"from": "2026-10-01", "to": "2026-12-31"})  # fmt: skip
    assert [(r["bucket_start"], r["inquiries"]) for r in quarterly.json()["rows"]] == [("2026-10-01", 4)]

    # CSV: one line per agent and bucket, the same figures
    as_csv = await _kpis(client, tokens, Role.supervisor, "sam", agent=agent, format="csv",
                         **{"from": "2026-11-30", "to": "2026-11-30"})  # fmt: skip
    assert as_csv.headers["content-type"].startswith("text/csv")
    [line] = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert (line["agent"], line["bucket_start"], line["inquiries"], line["on_time_by_step"]) == (
        agent, "2026-11-30", "3", "A3=1/1",
    )  # fmt: skip


async def test_an_agent_sees_their_own_figures_only(client: httpx.AsyncClient, tokens: Tokens) -> None:
    mine, theirs = unique("agent"), unique("agent")
    for agent in (mine, theirs):
        await asked(client, tokens, chat(unique("C"), "2026-11-24T10:00:00+08:00", agent=agent))
    period = {"from": "2026-11-24", "to": "2026-11-24"}
    own = await _kpis(client, tokens, Role.agent, mine, **period)
    assert own.status_code == 200
    assert own.json()["agent"] == mine
    assert {r["agent"] for r in own.json()["rows"]} == {mine}
    asked_own = await _kpis(client, tokens, Role.agent, mine, agent=mine, **period)
    assert asked_own.status_code == 200
    other = await _kpis(client, tokens, Role.agent, mine, agent=theirs, **period)
    assert (other.status_code, other.json()["rule"]) == (403, "§9.own-figures")
    everyone = await _kpis(client, tokens, Role.supervisor, "sam", **period)
    assert {mine, theirs} <= {r["agent"] for r in everyone.json()["rows"]}
    for role in (Role.customer, Role.merchant, Role.service):
        assert (await _kpis(client, tokens, role, "x", **period)).status_code == 403
    backwards = await _kpis(client, tokens, Role.supervisor, "sam", **{"from": "2026-11-25", "to": "2026-11-24"})
    assert (backwards.status_code, backwards.json()["rule"], backwards.json()["field"]) == (
        422, "§9.period", "query.to",
    )  # fmt: skip
    missing = await client.get("/kpis/agents", params={"to": "2026-11-24"}, headers=tokens.headers(Role.supervisor))
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "query.from"
