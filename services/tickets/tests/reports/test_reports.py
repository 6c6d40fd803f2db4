"""The reports (§4, §9): buckets in the calendar's zone (Asia/Shanghai) across midnight, the ISO
week Monday 00:00 to Sunday 24:00, the monthly analysis' dimensions, the weekly report's
unresolved list and the merchants' cooperation, CSV, roles, and bad periods as problems.

Every test reads periods of its own (years no other test writes to), or merchants of its own:
the session's database is shared."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from ..kit import feed, hand_over, message, paid_order, unique


def supervisor(tokens: Tokens) -> dict[str, str]:
    return tokens.headers(Role.supervisor, subject="sam")


async def report(client: httpx.AsyncClient, tokens: Tokens, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/reports/complaints/{path}", params=params, headers=supervisor(tokens))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def counts(rows: list[dict[str, Any]]) -> dict[str | None, int]:
    return {row["key"]: row["complaints"] for row in rows}


async def test_an_evening_on_the_months_last_day_belongs_to_that_month(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    # 23:30 in Shanghai on 31 January is 15:30 UTC: January, locally and in the report.
    late = await hand_over(client, tokens, message("wechat", received_at="2031-01-31T23:30:00+08:00",
                                                   category="tea", brand="West Lake"))  # fmt: skip
    assert late["received_at"].startswith("2031-01-31T15:30:00")
    # 00:10 on 1 February in Shanghai is still 31 January in UTC: February in the report.
    early = await hand_over(client, tokens, message("weibo", received_at="2031-02-01T00:10:00+08:00",
                                                    category="tea", brand="Dragon Well"))  # fmt: skip
    assert early["received_at"].startswith("2031-01-31T16:10:00")

    january = await report(client, tokens, "monthly/2031-01")
    february = await report(client, tokens, "monthly/2031-02")
    assert january["zone"] == "Asia/Shanghai"
    assert (january["complaints"], february["complaints"]) == (1, 1)
    assert counts(january["by_channel"]) == {"wechat": 1}
    assert counts(february["by_channel"]) == {"weibo": 1}
    assert counts(january["by_brand"]) == {"West Lake": 1}
    assert january["start_at"].startswith("2030-12-31T16:00:00")  # 1 January 00:00 in Shanghai
    assert january["end_at"].startswith("2031-01-31T16:00:00")

    daily = await report(client, tokens, "daily", **{"from": "2031-01-30", "to": "2031-02-01"})
    by_day = {row["day"]: row for row in daily["days"]}
    assert [by_day[d]["received"] for d in ("2031-01-30", "2031-01-31", "2031-02-01")] == [0, 1, 1]
    assert by_day["2031-01-31"]["by_channel"]["wechat"] == 1
    assert by_day["2031-02-01"]["by_channel"]["weibo"] == 1

    quarter = await report(client, tokens, "quarterly/2031-Q1")
    assert quarter["complaints"] == 2
    assert [(m["month"], m["complaints"]) for m in quarter["by_month"]] == [("2031-01", 1), ("2031-02", 1)]
    assert counts(quarter["by_category"]) == {"tea": 2}


async def test_a_week_runs_from_monday_00_00_to_sunday_24_00_local(client: httpx.AsyncClient, tokens: Tokens) -> None:
    # ISO week 2032-W10: Monday 1 March to Sunday 7 March 2032.
    for at in (
        "2032-02-29T23:59:59+08:00",  # Sunday before: the week before
        "2032-03-01T00:00:00+08:00",  # Monday 00:00 local (Sunday 16:00 UTC): in
        "2032-03-07T23:59:59+08:00",  # Sunday, a second before 24:00: in
        "2032-03-08T00:00:00+08:00",  # Monday after: the week after
    ):
        await hand_over(client, tokens, message("email", received_at=at))
    week = await report(client, tokens, "weekly/2032-W10")
    assert (week["first_day"], week["last_day"], week["complaints"]) == ("2032-03-01", "2032-03-07", 2)
    assert week["start_at"].startswith("2032-02-29T16:00:00")
    assert week["end_at"].startswith("2032-03-07T16:00:00")
    before = await report(client, tokens, "weekly/2032-W09")
    after = await report(client, tokens, "weekly/2032-W11")
    assert (before["complaints"], after["complaints"]) == (1, 1)


async def test_the_monthly_analysis_counts_dimensions_ranks_merchants_and_alerts_major_complaints(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    busy, quiet = unique("M-BUSY"), unique("M-QUIET")
    sent = []
    for i, (merchant, channel, category, brand, text) in enumerate([
        (busy, "wechat", "tea", "West Lake", "包装破损"),
        (busy, "forum", "tea", None, "再不处理我就找媒体曝光"),  # the media-or-legal rule: major
        (busy, "email", "cups", "West Lake", "杯子裂了"),
        (quiet, "phone", None, None, "发错货"),
    ]):  # fmt: skip
        order_id = unique("TB")
        await feed(app, *paid_order(order_id, customer=unique("C"), merchant=merchant, paid=5000, at=clock.now()))
        body = message(channel, order_id=order_id, received_at=f"2033-05-{10 + i}T12:00:00+08:00", body=text)
        if category:
            body["category"] = category
        if brand:
            body["brand"] = brand
        sent.append(await hand_over(client, tokens, body))
    # A merged duplicate is not new volume: the same customer about the same order again.
    again = message("weibo", order_id=sent[0]["order_id"], sender={"customer_id": sent[0]["customer_id"]})
    await hand_over(client, tokens, again | {"received_at": "2033-05-20T09:00:00+08:00"})

    month = await report(client, tokens, "monthly/2033-05", limit=1)
    assert (month["complaints"], month["major"]) == (4, 1)
    assert counts(month["by_category"]) == {"tea": 2, "cups": 1, None: 1}
    assert counts(month["by_brand"]) == {"West Lake": 2, None: 2}
    assert counts(month["by_channel"]) == {"wechat": 1, "forum": 1, "email": 1, "phone": 1}
    assert sum(counts(month["by_priority"]).values()) == 4
    # Ranked by complaints; `limit` cuts the list, the total says how many there are.
    assert [(m["rank"], m["merchant_id"], m["complaints"]) for m in month["merchants"]] == [(1, busy, 3)]
    assert month["merchants_total"] == 2
    assert [(a["id"], a["rule"]) for a in month["major_alerts"]] == [(sent[1]["id"], "media-or-legal")]
    assert month["major_alerts_total"] == 1
    assert "on_time_percent" in month["formulas"]

    full = await report(client, tokens, "monthly/2033-05")
    figures = {m["merchant_id"]: m for m in full["merchants"]}
    assert (figures[busy]["major"], figures[busy]["public_complaints"]) == (1, 1)
    assert figures[quiet]["rank"] == 2

    daily = await report(client, tokens, "daily", **{"from": "2033-05-20", "to": "2033-05-20"})
    assert (daily["days"][0]["received"], daily["days"][0]["merged"]) == (0, 1)


async def test_the_weekly_report_lists_unresolved_complaints_with_progress_and_merchants_cooperation(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    # The clocks run from now (Tuesday 24 November 2026, 10:00 local): week 2026-W48.
    prompt, late = unique("M-PROMPT"), unique("M-LATE")
    complaints = {}
    for merchant in (prompt, late):
        order_id = unique("TB")
        await feed(app, *paid_order(order_id, customer=unique("C"), merchant=merchant, paid=3000, at=clock.now()))
        complaints[merchant] = await hand_over(
            client, tokens, message("forum", order_id=order_id, received_at=clock.now().isoformat())
        )
    clock.advance(timedelta(hours=3))
    own = tokens.headers(Role.merchant, subject="mia", merchant_id=prompt)
    replied = await client.post(f"/complaints/{complaints[prompt]['id']}/merchant-reply",
                                json={"body": "已联系顾客"}, headers=own)  # fmt: skip
    assert replied.status_code == 200, replied.text
    clock.advance(timedelta(days=2))  # past 1 wd: §4.4 breaches for the merchant that did not reply
    await app.state.sla_scheduler.tick()

    week = await report(client, tokens, "weekly/2026-W48", limit=200)
    figures = {m["merchant_id"]: m for m in week["cooperation"]}
    assert figures[prompt] | {"rank": 0} == figures[prompt] | {
        "rank": 0, "public_complaints": 1, "merchant_replied": 1, "avg_reply_hours": 3.0, "clocks_stopped": 1,
        "on_time": 1, "breaches": 0, "on_time_percent": 100.0,
    }  # fmt: skip
    assert (figures[late]["merchant_replied"], figures[late]["breaches"], figures[late]["avg_reply_hours"]) == (
        0, 1, None
    )  # fmt: skip
    assert figures[late]["on_time_percent"] is None  # its clock breached but has not stopped

    # Unresolved, oldest first, paged; each with its breached steps.
    seen: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 50} | ({"cursor": cursor} if cursor else {})
        page = await report(client, tokens, "weekly/2026-W48", **params)
        seen |= {item["id"]: item for item in page["unresolved"]["items"]}
        cursor = page["unresolved"]["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == page["unresolved_total"]
    mine = seen[complaints[late]["id"]]
    assert mine["state"] == "open"
    assert {"§4.2", "§4.3", "§4.4"} <= set(mine["breached_steps"])
    assert mine["age_hours"] == 51.0


async def test_reports_answer_csv(client: httpx.AsyncClient, tokens: Tokens) -> None:
    await hand_over(client, tokens, message("shop_chat", received_at="2034-07-15T09:00:00+08:00", category="茶叶"))
    response = await client.get("/reports/complaints/monthly/2034-07", params={"format": "csv"},
                                headers=supervisor(tokens))  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "complaints-monthly-2034-07.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {"section": "total", "complaints": "1"}.items() <= rows[0].items()
    assert any(r["section"] == "category" and r["key"] == "茶叶" and r["complaints"] == "1" for r in rows)

    daily = await client.get("/reports/complaints/daily", params={"from": "2034-07-15", "to": "2034-07-16",
                             "format": "csv"}, headers=supervisor(tokens))  # fmt: skip
    lines = list(csv.DictReader(io.StringIO(daily.content.decode("utf-8-sig"))))
    assert [(r["day"], r["received"]) for r in lines] == [("2034-07-15", "1"), ("2034-07-16", "0")]
    assert "shop_chat=1" in lines[0]["by_channel"]


async def test_the_monthly_anomaly_summary_counts_breaches_by_step(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2035, 3, 31, 14, 30, tzinfo=UTC))  # 22:30 on 31 March in Shanghai
    await app.state.sla_scheduler.tick()  # earlier tests' clocks, due long ago, breach now: before the baseline

    async def breaches(month: str) -> dict[str, int]:
        return {b["step"]: b["breaches"] for b in (await report(client, tokens, f"anomalies/{month}"))["breaches"]}

    march_before, april_before = await breaches("2035-03"), await breaches("2035-04")
    await hand_over(client, tokens, message("wechat", received_at=clock.now().isoformat()))
    clock.advance(timedelta(hours=1, seconds=1))  # §4.2 (1 h) breaches at 23:30:01 local (15:30 UTC): March
    await app.state.sla_scheduler.tick()
    clock.advance(timedelta(hours=1))  # §4.3 (2 h) breaches at 00:30:01 on 1 April local: April
    await app.state.sla_scheduler.tick()
    march, april = await breaches("2035-03"), await breaches("2035-04")
    assert march.get("§4.2", 0) == march_before.get("§4.2", 0) + 1
    assert march.get("§4.3", 0) == march_before.get("§4.3", 0)
    assert (april.get("§4.3", 0), april_before.get("§4.3", 0)) == (1, 0)


async def test_reports_are_the_supervisors_and_merchants_see_only_their_own_cooperation(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    for role in (Role.agent, Role.merchant, Role.customer, Role.finance):
        response = await client.get("/reports/complaints/monthly/2026-11", headers=tokens.headers(role))
        assert response.status_code == 403, (role, response.text)
    assert (await client.get("/reports/complaints/monthly/2026-11")).status_code == 401

    first, second = unique("M-ONE"), unique("M-TWO")
    for merchant in (first, second):
        order_id = unique("TB")
        await feed(app, *paid_order(order_id, customer=unique("C"), merchant=merchant, paid=3000, at=clock.now()))
        await hand_over(client, tokens, message("weibo", order_id=order_id, received_at=clock.now().isoformat()))
    for merchant in (first, second):
        own = await client.get("/reports/merchant-cooperation/2026-W48",
                               headers=tokens.headers(Role.merchant, merchant_id=merchant))  # fmt: skip
        assert own.status_code == 200, own.text
        assert [m["merchant_id"] for m in own.json()["merchants"]] == [merchant]
    everyone = await client.get("/reports/merchant-cooperation/2026-W48", headers=supervisor(tokens))
    assert {first, second} <= {m["merchant_id"] for m in everyone.json()["merchants"]}
    agent = await client.get("/reports/merchant-cooperation/2026-W48", headers=tokens.headers(Role.agent))
    assert agent.status_code == 403


async def test_bad_periods_are_problems_naming_the_field_or_rule(client: httpx.AsyncClient, tokens: Tokens) -> None:
    for path, field in (
        ("weekly/2026-W54", "path.week"),
        ("weekly/2026-48", "path.week"),
        ("weekly/2025-W53", "path.week"),  # 2025 has 52 ISO weeks
        ("quarterly/2026-Q5", "path.quarter"),
        ("monthly/2026-13", "path.month"),
    ):
        response = await client.get(f"/reports/complaints/{path}", headers=supervisor(tokens))
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in {e["field"] for e in response.json()["errors"]}, (path, response.json())
    backwards = await client.get("/reports/complaints/daily", params={"from": "2026-11-02", "to": "2026-11-01"},
                                 headers=supervisor(tokens))  # fmt: skip
    assert backwards.status_code == 422
    assert (backwards.json()["rule"], backwards.json()["field"]) == ("§9.report-range", "query.to")
    too_long = await client.get("/reports/complaints/daily", params={"from": "2026-01-01", "to": "2027-01-02"},
                                headers=supervisor(tokens))  # fmt: skip
    assert too_long.status_code == 422
    # 2026 has 53 ISO weeks (Monday 28 December is in week 53)
    assert (await client.get("/reports/complaints/weekly/2026-W53", headers=supervisor(tokens))).status_code == 200
