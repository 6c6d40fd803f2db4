"""SLA policies a supervisor changes at run time (issue 17 item 7): stored, audited, shown
beside the default, applied to clocks started after; running clocks keep their rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import open_return, received_return

MONDAY_10AM = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 Asia/Shanghai
TWO_WORKING_HOURS = {
    "duration": {"kind": "working", "minutes": 120},
    "warn_before": {"kind": "working", "minutes": 30},
    "reason": "the review counts working time only",
}


@pytest.fixture
async def reset_after(client: httpx.AsyncClient, tokens: Tokens) -> Any:
    """Each test's changes are undone: the app and its database are shared by the session."""
    yield
    for step in ("T1A3", "T2A"):
        await client.post(
            f"/sla/policies/{step}/reset", json={"reason": "test over"}, headers=tokens.headers(Role.supervisor)
        )


async def _policy(client: httpx.AsyncClient, tokens: Tokens, step: str) -> dict[str, Any]:
    policies = (await client.get("/sla/policies", headers=tokens.headers(Role.agent))).json()
    [policy] = [p for p in policies if p["step"] == step]
    return dict(policy)


async def _clock(client: httpx.AsyncClient, tokens: Tokens, aggregate_id: str, step: str) -> dict[str, Any]:
    params = {"aggregate_id": aggregate_id, "step": step}
    [clock] = (await client.get("/sla/clocks", params=params, headers=tokens.headers(Role.supervisor))).json()["items"]
    return dict(clock)


async def test_a_supervisor_changes_a_steps_rule_and_only_later_clocks_follow_it(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, reset_after: None
) -> None:
    clock.set(MONDAY_10AM)
    before = (await open_return(client, tokens))["id"]
    assert (await _policy(client, tokens, "T1A3"))["changed"] is None

    changed = await client.put("/sla/policies/T1A3", json=TWO_WORKING_HOURS, headers=tokens.headers(Role.supervisor))
    assert changed.status_code == 200, changed.text
    policy = await _policy(client, tokens, "T1A3")
    assert (policy["duration"], policy["kind"], policy["warn_before"]) == ("2 working h", "working", "30 working min")
    assert policy["default"] == {"duration": "24 h", "kind": "wall", "warn_before": "4 h"}
    assert policy["changed"]["changed_by"] == "test-supervisor"
    assert policy["changed"]["reason"] == "the review counts working time only"

    after = (await open_return(client, tokens))["id"]
    old, new = await _clock(client, tokens, before, "T1A3"), await _clock(client, tokens, after, "T1A3")
    assert (old["duration"], old["due_at"]) == ("24 h", "2026-12-01T02:00:00Z")  # kept the rule it started with
    assert (new["duration"], new["kind"], new["due_at"]) == ("2 working h", "working", "2026-11-30T04:00:00Z")
    assert new["warn_at"] == "2026-11-30T03:30:00Z"

    reset = await client.post(
        "/sla/policies/T1A3/reset", json={"reason": "back to the seed"}, headers=tokens.headers(Role.supervisor)
    )
    assert reset.status_code == 200
    assert (reset.json()["duration"], reset.json()["changed"]) == ("24 h", None)
    trail = (await client.get("/sla/policies/T1A3/changes", headers=tokens.headers(Role.agent))).json()
    assert [(c["rule"] and c["rule"]["duration"], c["reason"]) for c in trail[-2:]] == [
        ("2 working h", "the review counts working time only"),
        (None, "back to the seed"),
    ]


async def test_a_resumed_clock_keeps_the_warning_lead_it_started_with(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, reset_after: None
) -> None:
    clock.set(MONDAY_10AM)
    rid = (await received_return(client, tokens))["id"]
    change = {
        "duration": {"kind": "wall", "minutes": 600},
        "warn_before": {"kind": "wall", "minutes": 60},
        "reason": "x",
    }
    assert (
        await client.put("/sla/policies/T2A", json=change, headers=tokens.headers(Role.supervisor))
    ).status_code == 200
    supervisor = tokens.headers(Role.supervisor)
    await client.post(f"/returns/{rid}/refund-hold", json={"reason": "inspection"}, headers=supervisor)
    clock.advance(timedelta(hours=5))
    await client.post(f"/returns/{rid}/refund-release", json={}, headers=supervisor)
    t2a = await _clock(client, tokens, rid, "T2A")
    assert t2a["duration"] == "48 h"
    due, warn = datetime.fromisoformat(t2a["due_at"]), datetime.fromisoformat(t2a["warn_at"])
    assert due == MONDAY_10AM + timedelta(hours=53)  # 48 h, 5 of them paused
    assert due - warn == timedelta(hours=8)  # its own 8 h lead, not the new 1 h


@pytest.mark.parametrize("role", [Role.agent, Role.warehouse, Role.finance, Role.customer, Role.service])
async def test_only_a_supervisor_changes_a_policy(client: httpx.AsyncClient, tokens: Tokens, role: Role) -> None:
    refused = await client.put("/sla/policies/T1A3", json=TWO_WORKING_HOURS, headers=tokens.headers(role))
    assert refused.status_code == 403
    assert (await _policy(client, tokens, "T1A3"))["changed"] is None


@pytest.mark.parametrize(
    ("duration", "field"),
    [
        ({"kind": "wall", "days": 3}, "body.duration"),  # days are working days
        ({"kind": "working", "minutes": 60, "days": 1}, "body.duration"),
        ({"kind": "wall", "minutes": "120"}, "body.duration.minutes"),
        ({"kind": "wall", "minutes": 1.0}, "body.duration.minutes"),
        ({"kind": "sometimes", "minutes": 60}, "body.duration.kind"),
        ({"kind": "wall", "minutes": 60 * 24 * 366}, "body.duration.minutes"),
    ],
)
async def test_a_rule_that_makes_no_sense_is_a_422_naming_the_field(
    client: httpx.AsyncClient, tokens: Tokens, duration: dict[str, Any], field: str
) -> None:
    body = {**TWO_WORKING_HOURS, "duration": duration}
    refused = await client.put("/sla/policies/T1A3", json=body, headers=tokens.headers(Role.supervisor))
    assert refused.status_code == 422
    assert field in [e["field"] for e in refused.json()["errors"]]


async def test_a_step_without_a_policy_is_a_404(client: httpx.AsyncClient, tokens: Tokens) -> None:
    missing = await client.put("/sla/policies/C1", json=TWO_WORKING_HOURS, headers=tokens.headers(Role.supervisor))
    assert missing.status_code == 404
