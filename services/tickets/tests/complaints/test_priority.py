"""A complaint's priority by rule (§4: channel, keywords, order value; the rules a setting),
changed by a supervisor only; a major complaint raises MajorComplaintRaised."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from tickets_service.complaints.priority import rank
from tickets_service.settings import TicketsSettings

from ..kit import events_of, feed, hand_over, message, paid_order, unique


async def test_a_threat_to_go_to_the_press_is_urgent_and_major(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    record = await hand_over(client, tokens, message("wechat", body="再不处理我就找媒体曝光！"))
    assert (record["priority"], record["priority_rule"], record["major"]) == ("urgent", "media-or-legal", True)
    [raised] = await events_of(app, record["id"], "MajorComplaintRaised")
    assert (raised["rule"], raised["raised_by"], raised["channel"]) == ("media-or-legal", "gw-wechat", "wechat")
    majors = await client.get("/complaints", params={"major": "true"}, headers=tokens.headers(Role.supervisor))
    assert record["id"] in [c["id"] for c in majors.json()["items"]]


@pytest.mark.parametrize(("paid", "priority"), [(100_000, "high"), (99_999, "normal")])
async def test_the_order_value_rule_at_its_limit(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, paid: int, priority: str
) -> None:
    order_id = unique("TB")
    await feed(app, *paid_order(order_id, customer=unique("C"), merchant="M-1", paid=paid, at=clock.now()))
    record = await hand_over(client, tokens, message("shop_chat", order_id=order_id))
    assert (record["priority"], record["major"]) == (priority, False)
    assert await events_of(app, record["id"], "MajorComplaintRaised") == []


async def test_a_supervisor_changes_the_priority_and_flags_it_major_once(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    record = await hand_over(client, tokens, message("email"))
    path = f"{'/complaints/'}{record['id']}/priority"
    change = {"priority": "urgent", "major": True, "reason": "a repeat customer, third time"}
    for role in (Role.agent, Role.customer, Role.service):
        assert (await client.put(path, json=change, headers=tokens.headers(role))).status_code == 403
    bad = await client.put(path, json=change | {"priority": "critical"}, headers=tokens.headers(Role.supervisor))
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "body.priority")

    supervisor = tokens.headers(Role.supervisor, subject="sam")
    changed = await client.put(path, json=change, headers=supervisor)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["priority"], changed.json()["priority_rule"], changed.json()["major"]) == (
        "urgent", "supervisor", True,
    )  # fmt: skip
    again = await client.put(path, json=change | {"priority": "high"}, headers=supervisor)
    assert again.json()["priority"] == "high"
    assert [e["raised_by"] for e in await events_of(app, record["id"], "MajorComplaintRaised")] == ["sam"]
    history = (await client.get(f"/complaints/{record['id']}/history", headers=supervisor)).json()
    assert history[-2]["reason"] == "priority normal → urgent, major False → True: a repeat customer, third time"


def test_the_rules_are_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "TICKETS_PRIORITY_RULES",
        '[{"name": "vip-channel", "priority": "urgent", "channels": ["phone"]},'
        ' {"name": "refund-words", "priority": "high", "keywords": ["退款"], "major": true}]',
    )
    rules = TicketsSettings(database_url="postgresql://unused/x", jwt_secret="s" * 32).priority_rules
    assert rank(rules, channel="phone", text="", order_minor=None).rule == "vip-channel"
    ranked = rank(rules, channel="email", text="我要退款", order_minor=None)
    assert (ranked.priority, ranked.major) == ("high", True)
    assert rank(rules, channel="email", text="hello", order_minor=10**9).rule == "default"
