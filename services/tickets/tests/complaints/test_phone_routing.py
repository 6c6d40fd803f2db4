"""§4: an inbound-call complaint goes at once to the dedicated person (TICKETS_PHONE_COMPLAINT_OWNER);
only they take it, or a supervisor assigns it, until §4.5 runs out; then its breach, fired by
the SLA scheduler and consumed back through the broker, hands it to anyone (USERONLY → ANYONE)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens, eventually

from ..kit import clocks_of, hand_over, message

DESK = "complaints-desk"  # the setting's default


async def test_a_phone_complaint_waits_for_the_dedicated_person_who_accepts_it(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    record = await hand_over(client, tokens, message("phone", sender={"handle": "13800138000"}))
    path = f"/complaints/{record['id']}"
    assert (record["state"], record["routed_to"], record["owner"]) == ("routed", DESK, None)
    assert "§4.5" in await clocks_of(client, tokens, record["id"])

    someone = tokens.headers(Role.agent, subject="bob")
    refused = await client.post(f"{path}/assign", json={}, headers=someone)
    assert (refused.status_code, refused.json()["rule"]) == (403, "§4.5.useronly")
    refused = await client.post(f"{path}/accept", headers=someone)
    assert (refused.status_code, refused.json()["rule"]) == (403, "§4.5.routed-to")

    accepted = await client.post(f"{path}/accept", headers=tokens.headers(Role.agent, subject=DESK))
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["state"], accepted.json()["owner"], accepted.json()["routed_to"]) == (
        "assigned",
        DESK,
        None,
    )
    clocks = await clocks_of(client, tokens, record["id"])
    assert (clocks["§4.5"]["outcome"], clocks["§4.2"]["outcome"]) == ("met", "met")


async def test_a_supervisor_may_assign_it_before_the_fallback(client: httpx.AsyncClient, tokens: Tokens) -> None:
    record = await hand_over(client, tokens, message("phone", sender={"handle": "13900139000"}))
    assigned = await client.post(
        f"/complaints/{record['id']}/assign", json={"owner": "carol"}, headers=tokens.headers(Role.supervisor)
    )
    assert (assigned.status_code, assigned.json()["owner"]) == (200, "carol")


async def test_when_the_dedicated_person_is_away_it_falls_back_to_anyone(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    record = await hand_over(client, tokens, message("phone", sender={"handle": "13700137000"}))
    path = f"/complaints/{record['id']}"
    clock.advance(timedelta(minutes=9))
    await app.state.sla_scheduler.tick()
    assert (await client.get(path, headers=tokens.headers(Role.agent))).json()["state"] == "routed"

    clock.advance(timedelta(minutes=2))  # §4.5's 10 minutes are over
    await app.state.sla_scheduler.tick()

    async def fallen_back() -> bool:
        found = (await client.get(path, headers=tokens.headers(Role.agent))).json()
        return bool(found["state"] == "open" and found["routed_to"] is None)

    await eventually(fallen_back, message="the breach of §4.5 came back through the broker and reassigned it")
    history = (await client.get(f"{path}/history", headers=tokens.headers(Role.agent))).json()
    assert [(h["action"], h["step"], h["actor"]) for h in history][-1] == ("fall_back", "§4.5", "tickets")
    taken = await client.post(f"{path}/assign", json={}, headers=tokens.headers(Role.agent, subject="bob"))
    assert (taken.status_code, taken.json()["owner"]) == (200, "bob")
    # The named-owner clock counted from the call, not from the fallback.
    assert (await clocks_of(client, tokens, record["id"]))["§4.2"]["started_at"] == record["created_at"]
