"""The supervisor's queue by class: open, leased, waiting, at risk, breached."""

from __future__ import annotations

from datetime import timedelta

import httpx

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens

from .kit import claim, empty_queue, open_task


def _by_class(body: dict[str, object]) -> dict[str, dict[str, object]]:
    return {row["priority_class"]: row for row in body["classes"]}  # type: ignore[attr-defined, index]


async def test_the_queue_shows_due_at_risk_and_breached_by_class(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    for _ in range(2):
        await open_task(client, tokens, "new_signup")  # due in 15 min
    await open_task(client, tokens, "outreach")
    await open_task(client, tokens, "a8_follow_up", requested_at=clock.now().isoformat())
    supervisor = tokens.headers(Role.supervisor)
    view = _by_class((await client.get("/callback-queue", headers=supervisor)).json())
    assert (view["highest"]["open"], view["highest"]["at_risk"], view["highest"]["breached"]) == (2, 0, 0)
    assert (view["medium"]["open"], view["medium"]["waiting"]) == (1, 1)
    assert view["high"]["open"] == 0

    clock.advance(timedelta(minutes=6))  # 9 min to go: inside the 10 min at-risk lead
    await claim(client, tokens)
    view = _by_class((await client.get("/callback-queue", headers=supervisor)).json())
    assert (view["highest"]["at_risk"], view["highest"]["leased"]) == (2, 1)
    clock.advance(timedelta(minutes=10))
    view = _by_class((await client.get("/callback-queue", headers=supervisor)).json())
    assert (view["highest"]["at_risk"], view["highest"]["breached"]) == (0, 2)
    breached = await client.get("/callbacks", params={"timing": "breached", "state": "open"}, headers=supervisor)
    assert {t["kind"] for t in breached.json()["items"]} == {"new_signup"}
    assert len(breached.json()["items"]) == 2
