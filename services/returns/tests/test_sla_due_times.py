"""Due times of the returns clocks (issue 17 item 5): T1A2's 24 h from the agreement, T1A3
at the earlier of 24 h and 1 wd, T1A4, T2A's 48 h beside T2's 3 wd, T1B2, T1B3, and the
provisional flag only on working-time clocks due in a year without official data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from aftersales_calendar import WallClock, WorkingDays, default_calendar
from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from returns_service.sla import POLICIES

from .kit import known_order, new_return_body, open_return

FRIDAY_5PM = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # Friday 17:00 Asia/Shanghai
APPROVER = Role.supervisor


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _clock(client: httpx.AsyncClient, tokens: Tokens, aggregate_id: str, step: str) -> dict[str, Any]:
    response = await client.get(
        "/sla/clocks", params={"aggregate_id": aggregate_id, "step": step}, headers=tokens.headers(Role.supervisor)
    )
    assert response.status_code == 200, response.text
    [clock] = response.json()["items"]
    return dict(clock)


async def test_t1a2_runs_24_h_from_the_agreement_until_the_return_is_filed(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(FRIDAY_5PM)
    order = await known_order(client, tokens)
    body = {"order_id": order, "reason": "too small", "channel": "wangwang"}
    rid = (await client.post("/refund-requests", json=body, headers=tokens.headers(Role.agent))).json()["id"]
    await client.post(f"/refund-requests/{rid}/route", json={}, headers=tokens.headers(Role.agent))
    clock.advance(timedelta(hours=3))
    refused = await client.post(f"/refund-requests/{rid}/agree", json={}, headers=tokens.headers(Role.customer))
    assert refused.status_code == 403
    agreed = await client.post(
        f"/refund-requests/{rid}/agree", json={"note": "2 × tea, SF"}, headers=tokens.headers(Role.agent)
    )
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["state"] == "negotiating"
    assert (await _clock(client, tokens, rid, "T1A1"))["outcome"] == "met"
    t1a2 = await _clock(client, tokens, rid, "T1A2")
    assert (t1a2["duration"], t1a2["status"], t1a2["provisional"]) == ("24 h", "open", False)
    assert _at(t1a2["due_at"]) == FRIDAY_5PM + timedelta(hours=27)  # wall clock: the weekend counts
    clock.advance(timedelta(hours=25))  # filed late
    filed = await client.post(
        "/returns", json=new_return_body(order, refund_request_id=rid), headers=tokens.headers(Role.agent)
    )
    assert filed.status_code == 201, filed.text
    assert (await _clock(client, tokens, rid, "T1A2"))["outcome"] == "breached"
    again = await client.post(f"/refund-requests/{rid}/agree", json={}, headers=tokens.headers(Role.agent))
    assert again.status_code == 409  # filed: nothing left to agree


def test_t1a3_is_due_at_the_earlier_of_seed_000s_24_h_and_seed_003s_1_wd() -> None:
    """Every hour of four weeks around a weekend, a holiday and a year's end: the one clock
    falls due when the first of the two limits does."""
    calendar = default_calendar()
    policy = POLICIES["T1A3"]
    start = datetime(2026, 12, 21, 0, 0, tzinfo=UTC)
    for hour in range(24 * 28):
        at = start + timedelta(hours=hour)
        earlier = min(calendar.add(at, WallClock(timedelta(hours=24))), calendar.add(at, WorkingDays(1)))
        assert calendar.add(at, policy.duration) == earlier, at


async def test_t1a3_and_t1a4_fall_due_24_h_after_they_start(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(FRIDAY_5PM)
    rid = (await open_return(client, tokens))["id"]
    t1a3 = await _clock(client, tokens, rid, "T1A3")
    assert (t1a3["duration"], _at(t1a3["due_at"])) == ("24 h", FRIDAY_5PM + timedelta(hours=24))  # not Monday's
    clock.advance(timedelta(hours=2))
    await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    t1a4 = await _clock(client, tokens, rid, "T1A4")
    assert (t1a4["duration"], _at(t1a4["due_at"])) == ("24 h", FRIDAY_5PM + timedelta(hours=26))


async def _received(client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, at: datetime) -> str:
    clock.set(at - timedelta(hours=1))
    rid = str((await open_return(client, tokens))["id"])
    await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    clock.set(at)
    received = await client.post(f"/returns/{rid}/receipt", json={}, headers=tokens.headers(Role.warehouse))
    assert received.status_code == 200, received.text
    return rid


async def test_t2a_48_h_and_t2_3_wd_both_run_from_receipt_and_the_refund_stops_both(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    rid = await _received(client, tokens, clock, FRIDAY_5PM)
    t2a = await _clock(client, tokens, rid, "T2A")
    t2 = await _clock(client, tokens, rid, "T2")
    assert (t2a["duration"], _at(t2a["due_at"])) == ("48 h", FRIDAY_5PM + timedelta(hours=48))
    # 3 wd: the same clock time three working days later, Wednesday 17:00.
    assert (t2["duration"], _at(t2["due_at"])) == ("3 wd", datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    assert (t2a["provisional"], t2["provisional"]) == (False, False)  # 2026's holidays are published

    clock.advance(timedelta(hours=50))  # Sunday 19:00: T2A is late, T2 is not
    refunded = await client.post(f"/returns/{rid}/refund", json={"amount_minor": 100}, headers=tokens.headers(APPROVER))
    assert refunded.status_code == 200, refunded.text
    assert (await _clock(client, tokens, rid, "T2A"))["outcome"] == "breached"
    assert (await _clock(client, tokens, rid, "T2"))["outcome"] == "met"
    t1b3 = await _clock(client, tokens, rid, "T1B3")
    assert (t1b3["duration"], _at(t1b3["due_at"])) == ("24 h", FRIDAY_5PM + timedelta(hours=74))


async def test_a_held_refund_pauses_t2_with_t2a_and_a_shipped_exchange_stops_t2(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    rid = await _received(client, tokens, clock, FRIDAY_5PM)
    held = await client.post(
        f"/returns/{rid}/refund-hold", json={"reason": "inspection"}, headers=tokens.headers(APPROVER)
    )
    assert held.status_code == 200, held.text
    assert (await _clock(client, tokens, rid, "T2"))["state"] == "paused"
    released = await client.post(f"/returns/{rid}/refund-release", json={}, headers=tokens.headers(APPROVER))
    assert released.status_code == 200, released.text
    assert (await _clock(client, tokens, rid, "T2"))["state"] == "running"
    value = sum(line["unit_price_minor"] * line["received_quantity"] for line in released.json()["lines"])
    exchange = {"replacement_order_id": "TB-REPL-1", "replacement_value_minor": value}
    requested = await client.post(f"/returns/{rid}/exchange", json=exchange, headers=tokens.headers(Role.agent))
    assert requested.status_code == 200, requested.text
    assert (await _clock(client, tokens, rid, "T2"))["state"] == "running"  # not done until shipped
    shipped = await client.post(f"/returns/{rid}/exchange/ship", json={}, headers=tokens.headers(Role.warehouse))
    assert shipped.status_code == 200, shipped.text
    assert (await _clock(client, tokens, rid, "T2"))["outcome"] == "met"


async def test_a_working_time_clock_due_in_an_unpublished_year_is_provisional_a_wall_clock_never(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    assert default_calendar().is_provisional(datetime(2027, 1, 4).date())
    rid = await _received(client, tokens, clock, datetime(2026, 12, 30, 2, 0, tzinfo=UTC))  # Wednesday 10:00
    t2 = await _clock(client, tokens, rid, "T2")
    t2a = await _clock(client, tokens, rid, "T2A")
    assert _at(t2["due_at"]).year == 2027
    assert (t2["provisional"], t2a["provisional"]) == (True, False)


@pytest.mark.parametrize("late", [False, True])
async def test_t1b2_is_due_48_h_after_the_warehouse_confirms_the_cancellation(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, late: bool
) -> None:
    clock.set(FRIDAY_5PM)
    order = await known_order(client, tokens, shipped=False)
    body = {"order_id": order, "reason": "ordered twice", "reason_party": "customer"}
    cid = (await client.post("/cancellations", json=body, headers=tokens.headers(Role.agent))).json()["id"]
    t1b1 = await _clock(client, tokens, cid, "T1B1")
    assert (t1b1["duration"], _at(t1b1["due_at"])) == ("24 h", FRIDAY_5PM + timedelta(hours=24))
    clock.advance(timedelta(hours=5))
    confirmed = await client.post(
        f"/cancellations/{cid}/confirm", json={"customer_note": "ok"}, headers=tokens.headers(Role.warehouse)
    )
    assert confirmed.status_code == 200, confirmed.text
    t1b2 = await _clock(client, tokens, cid, "T1B2")
    assert (t1b2["duration"], _at(t1b2["due_at"])) == ("48 h", FRIDAY_5PM + timedelta(hours=53))
    clock.advance(timedelta(hours=48, seconds=1) if late else timedelta(hours=48))
    await client.post(f"/cancellations/{cid}/refund", json={}, headers=tokens.headers(APPROVER))
    assert (await _clock(client, tokens, cid, "T1B2"))["outcome"] == ("breached" if late else "met")
