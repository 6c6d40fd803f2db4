"""The figures: the daily review-handling table by path (JSON and CSV, days in the calendar's
zone), product ratings judged against 4.8 with a minimum count (a task once per window, none
for too few ratings), DSR per marketplace, the call gauges; an upheld report leaves them all.

Each test moves its own clock to days no other test uses, so the shared database's other
reviews do not count in its figures."""

from __future__ import annotations

import base64
import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from prometheus_client import REGISTRY

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner

from ..kit import act, decide_remedy, explained_case, propose, review, take_in

SHANGHAI = "+08:00"


async def _daily(client: httpx.AsyncClient, tokens: Tokens, first: str, last: str, **params: str) -> httpx.Response:
    response = await client.get(
        "/figures/daily", params={"from": first, "to": last, **params}, headers=tokens.headers(Role.supervisor)
    )
    assert response.status_code == 200, response.text
    return response


def _rows(response: httpx.Response) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["day"], r["path"]): r for r in response.json()["rows"]}


async def test_the_daily_table_counts_each_path_on_the_days_of_the_calendars_zone(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, clock: ManualClock
) -> None:
    clock.set(datetime(2027, 3, 9, 2, 0, tzinfo=UTC))  # Tuesday 10:00 in Shanghai
    # 23:30 on the 8th in Shanghai is the 8th, though it is 15:30 UTC; 00:30 on the 9th is the 9th.
    early = await take_in(client, tokens, review(datetime.fromisoformat("2027-03-08T00:30:00" + SHANGHAI)))
    late_evening = await take_in(client, tokens, review(datetime.fromisoformat("2027-03-08T23:30:00" + SHANGHAI)))
    just_after = await take_in(client, tokens, review(datetime.fromisoformat("2027-03-09T00:30:00" + SHANGHAI)))
    # Called 10 h 30 min and 9 h 30 min after their reviews: within 24 h; the first 25 h 30 min after.
    for taken in (early, late_evening, just_after):
        await act(client, tokens, taken["case_id"], "call", {"finding": "misunderstanding", "note": "x"})
    quality = await explained_case(client, tokens, runner, clock.now(), 10000)  # the 9th, quality
    for amount in (1500, 2500):
        remedy = await propose(client, tokens, quality["id"], amount)
        await decide_remedy(client, tokens, remedy["id"], "approve")
        await decide_remedy(client, tokens, remedy["id"], "agree", role=Role.agent)
    await propose(client, tokens, quality["id"], 700)  # proposed, not agreed: not counted
    pending = await take_in(client, tokens, review(clock.now(), stars=3))
    body = {**review(clock.now()), "stars": 5}
    amended = await take_in(client, tokens, {**body, "stars": 2})
    await act(client, tokens, amended["case_id"], "call", {"finding": "misunderstanding", "note": "x"})
    await take_in(client, tokens, {**body, "updated_at": (clock.now() + timedelta(minutes=1)).isoformat()})

    rows = _rows(await _daily(client, tokens, "2027-03-08", "2027-03-09"))
    assert rows[("2027-03-08", "misunderstanding")] == {
        "day": "2027-03-08",
        "path": "misunderstanding",
        "received": 2,
        "called_within_24h": 1,
        "amended": 0,
        "reported": 0,
        "remedies": 0,
        "remedies_minor": 0,
    }
    mis = rows[("2027-03-09", "misunderstanding")]
    assert (mis["received"], mis["called_within_24h"], mis["amended"]) == (2, 2, 1)
    assert (rows[("2027-03-09", "quality")]["remedies"], rows[("2027-03-09", "quality")]["remedies_minor"]) == (2, 4000)
    assert rows[("2027-03-09", "pending")]["received"] == 1
    assert pending["case_id"]

    as_csv = await _daily(client, tokens, "2027-03-08", "2027-03-09", format="csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [(r["day"], r["path"], r["received"]) for r in parsed] == [
        (k[0], k[1], str(v["received"])) for k, v in sorted(rows.items())
    ]
    bad = await client.get(
        "/figures/daily", params={"from": "2027-03-09", "to": "2027-03-08"}, headers=tokens.headers(Role.supervisor)
    )
    assert (bad.status_code, bad.json()["rule"]) == (422, "figures.day-range")
    assert (await client.get("/figures/daily", headers=tokens.headers(Role.customer))).status_code == 403


async def test_products_under_4_8_with_enough_ratings_get_one_follow_up_per_window(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2027, 5, 11, 2, 0, tzinfo=UTC))
    low, enough, few = (f"SKU-{name}-{uuid.uuid4().hex[:6]}" for name in ("LOW", "OK", "FEW"))
    # 10 ratings averaging 4.7 (below), 10 averaging exactly 4.8 (not below), 9 averaging 1.
    for stars in [5] * 7 + [4] * 3:
        await take_in(client, tokens, review(clock.now() - timedelta(days=3), stars=stars, sku=low))
    for stars in [5] * 8 + [4] * 2:
        await take_in(client, tokens, review(clock.now() - timedelta(days=89), stars=stars, sku=enough))
    for _ in range(9):
        await take_in(client, tokens, review(clock.now(), stars=1, sku=few))
    # A rating 90 days back is outside the 90-day window.
    await take_in(client, tokens, review(clock.now() - timedelta(days=90), stars=1, sku=enough))

    figures = (await client.get("/figures/products", headers=tokens.headers(Role.agent))).json()
    assert (figures["window_days"], figures["min_ratings"], figures["threshold"]) == (90, 10, 4.8)
    by_sku = {p["sku"]: p for p in figures["products"]}
    assert (by_sku[low]["status"], by_sku[low]["ratings"], by_sku[low]["average"]) == ("follow_up", 10, 4.7)
    assert (by_sku[enough]["status"], by_sku[enough]["average"]) == ("ok", 4.8)
    assert by_sku[few]["status"] == "too_few_ratings"
    assert by_sku[few]["reason"] == "9 rating(s) in the window; at least 10 are needed"
    fewer = (
        await client.get("/figures/products", params={"min_ratings": 9}, headers=tokens.headers(Role.agent))
    ).json()
    assert {p["sku"]: p["status"] for p in fewer["products"]}[few] == "follow_up"

    supervisor = tokens.headers(Role.supervisor, subject="sam")
    made = (await client.post("/figures/products/follow-ups", headers=supervisor)).json()
    assert [t["sku"] for t in made if t["sku"] in (low, enough, few)] == [low]
    assert (await client.post("/figures/products/follow-ups", headers=supervisor)).json() == []  # once per window
    clock.advance(timedelta(days=89))
    assert [
        t["sku"]
        for t in (await client.post("/figures/products/follow-ups", headers=supervisor)).json()
        if t["sku"] == low
    ] == []
    assert (await client.post("/figures/products/follow-ups", headers=tokens.headers(Role.agent))).status_code == 403


async def test_shop_figures_per_marketplace_and_an_upheld_report_leaves_the_figures(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(datetime(2027, 7, 6, 2, 0, tzinfo=UTC))
    for stars, dsr in ((5, (5, 5, 4)), (4, (4, 5, 3)), (1, (1, 2, 1))):
        dsr_body = {"description": dsr[0], "service": dsr[1], "logistics": dsr[2]}
        await take_in(client, tokens, review(clock.now(), stars=stars, marketplace="tmall", dsr=dsr_body))
    await take_in(client, tokens, review(clock.now(), stars=3, marketplace="jd"))
    shop = (await client.get("/figures/shop", params={"window_days": 1}, headers=tokens.headers(Role.agent))).json()
    tmall = {m["marketplace"]: m for m in shop["marketplaces"]}["tmall"]
    assert (tmall["reviews"], tmall["good"], tmall["neutral"], tmall["negative"]) == (3, 2, 0, 1)
    assert (tmall["average_stars"], tmall["dsr_description"], tmall["dsr_service"], tmall["dsr_logistics"]) == (
        3.333,
        3.333,
        4.0,
        2.667,
    )
    jd = {m["marketplace"]: m for m in shop["marketplaces"]}["jd"]
    assert (jd["reviews"], jd["dsr_ratings"], jd["dsr_service"]) == (1, 0, None)

    # The negative tmall review is malicious; the marketplace upholds the report: it leaves the figures.
    negative = await take_in(client, tokens, review(clock.now(), stars=1, marketplace="tmall"))
    await act(client, tokens, negative["case_id"], "call", {"finding": "malicious", "note": "x"})
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32
    evidence = [{"content_base64": base64.b64encode(png).decode()}]
    report = await client.post(
        f"/cases/{negative['case_id']}/report",
        json={"reason": "competitor", "note": "x", "evidence": evidence},
        headers=tokens.headers(Role.agent),
    )
    assert report.status_code == 201, report.text
    day = clock.now().date().isoformat()
    before = _rows(await _daily(client, tokens, day, day))[(day, "malicious")]
    assert (before["received"], before["reported"]) == (1, 1)
    upheld = await client.post(
        f"/reports/{report.json()['id']}/outcome", json={"outcome": "upheld"}, headers=tokens.headers(Role.service)
    )
    assert upheld.status_code == 200
    assert (day, "malicious") not in _rows(await _daily(client, tokens, day, day))
    after = (await client.get("/figures/shop", params={"window_days": 1}, headers=tokens.headers(Role.agent))).json()
    assert {m["marketplace"]: m for m in after["marketplaces"]}["tmall"]["reviews"] == 3


async def test_the_call_gauges(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock) -> None:
    clock.set(datetime(2027, 9, 7, 2, 0, tzinfo=UTC))
    on_time = await take_in(client, tokens, review(clock.now()))
    await take_in(client, tokens, review(clock.now()))
    await act(client, tokens, on_time["case_id"], "call", {"finding": "quality", "note": "x"})
    clock.advance(timedelta(hours=25))  # the second is now overdue, never called
    figures = (await client.get("/figures/calls", headers=tokens.headers(Role.supervisor))).json()
    # Calls due in the last 30 days (only this test's are in 2027-08/09 but other tests' later clocks
    # are in the past for it too): the gauges say what the endpoint says.
    assert REGISTRY.get_sample_value("reviews_call_on_time_ratio") == figures["on_time_ratio"]
    assert REGISTRY.get_sample_value("reviews_call_breaches") == figures["breaches"]
    assert REGISTRY.get_sample_value("reviews_open_cases", {"path": "quality"}) == figures["open_cases"]["quality"]
    assert figures["breaches"] >= 1
    metrics = await client.get("/metrics")
    assert "reviews_open_cases" in metrics.text
