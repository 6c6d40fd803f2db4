"""One calendar for the shop (issue 17 item 8), across the five services as real processes
on the real broker: a supervisor changes a day once, at the calendar's owner, and every
service computes the same due time from then on; weekly hours likewise. A change made at
another service is refused, naming the owner. The test puts the calendar back as it found it:
the stack, its databases and its broker's calendar topic serve the tests after it."""

from __future__ import annotations

from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess
from aftersales_events.catalogue.calendar import CALENDAR_OWNER

FRIDAY_10AM = "2027-03-05T10:00:00+08:00"  # 1 wd later: Monday 2027-03-08 10:00, unless that day closes
MONDAY = "2027-03-08"


async def _dues(http: httpx.AsyncClient, stack: dict[str, ServiceProcess], tokens: Tokens) -> dict[str, Any]:
    dues = {}
    for name, proc in stack.items():
        response = await http.get(
            f"{proc.url}/calendar/due",
            params={"start": FRIDAY_10AM, "working_days": 1},
            headers=tokens.headers(Role.agent),
        )
        assert response.status_code == 200, (name, response.text)
        dues[name] = response.json()["due_at"]
    return dues


async def _versions(http: httpx.AsyncClient, stack: dict[str, ServiceProcess], tokens: Tokens) -> set[int]:
    found = set()
    for proc in stack.values():
        response = await http.get(f"{proc.url}/calendar/settings", headers=tokens.headers(Role.agent))
        assert response.status_code == 200, response.text
        found.add(response.json()["version"])
    return found


async def test_a_day_changed_once_at_the_owner_gives_every_service_the_same_due_time(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    owner = stack[CALENDAR_OWNER].url
    async with httpx.AsyncClient(timeout=10) as http:
        assert set((await _dues(http, stack, tokens)).values()) == {"2027-03-08T02:00:00Z"}
        held = await http.get(f"{owner}/calendar/settings", headers=tokens.headers(Role.agent))
        assert held.status_code == 200, held.text
        found = held.json()
        try:
            await _change_monday_and_saturdays(http, stack, tokens)
        finally:
            await _put_back(http, stack, tokens, {"zone": found["zone"], "weekly_hours": found["weekly_hours"]})


async def _change_monday_and_saturdays(
    http: httpx.AsyncClient, stack: dict[str, ServiceProcess], tokens: Tokens
) -> None:
    supervisor, owner = tokens.headers(Role.supervisor), stack[CALENDAR_OWNER].url

    elsewhere = await http.put(
        f"{stack['returns'].url}/calendar/overrides/{MONDAY}", json={"kind": "closed"}, headers=supervisor
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["rule"] == f"calendar.owned-by-{CALENDAR_OWNER}"

    closed = await http.put(
        f"{owner}/calendar/overrides/{MONDAY}", json={"kind": "closed", "note": "stocktaking"}, headers=supervisor
    )
    assert closed.status_code == 200, closed.text

    async def every_service_closed_monday() -> bool:
        dues = await _dues(http, stack, tokens)
        return set(dues.values()) == {"2027-03-09T02:00:00Z"}  # Tuesday 10:00, in all five

    await eventually(every_service_closed_monday, timeout=60, message="all five services hold the closed Monday")
    assert len(await _versions(http, stack, tokens)) == 1

    # Weekly hours too: Saturdays become working days (10:00-16:00) in every service.
    hours = {str(day): ["09:00", "18:00"] for day in range(5)} | {"5": ["10:00", "16:00"], "6": None}
    settings = {"zone": "Asia/Shanghai", "weekly_hours": hours}
    assert (
        await http.put(f"{stack['finance'].url}/calendar/settings", json=settings, headers=supervisor)
    ).status_code == 422
    changed = await http.put(f"{owner}/calendar/settings", json=settings, headers=supervisor)
    assert changed.status_code == 200, changed.text

    async def every_service_works_saturday() -> bool:
        dues = await _dues(http, stack, tokens)
        return set(dues.values()) == {"2027-03-06T02:00:00Z"}  # Saturday 10:00

    await eventually(every_service_works_saturday, timeout=60, message="all five services work on Saturday")
    assert await _versions(http, stack, tokens) == {changed.json()["version"]}


async def _put_back(
    http: httpx.AsyncClient, stack: dict[str, ServiceProcess], tokens: Tokens, settings: dict[str, Any]
) -> None:
    """The owner's weekly hours as found and no override of Monday, in every service again."""
    supervisor, owner = tokens.headers(Role.supervisor), stack[CALENDAR_OWNER].url
    restored = await http.put(f"{owner}/calendar/settings", json=settings, headers=supervisor)
    assert restored.status_code == 200, restored.text
    removed = await http.delete(f"{owner}/calendar/overrides/{MONDAY}", headers=supervisor)
    assert removed.status_code in (204, 404), removed.text

    async def every_service_back_to_monday() -> bool:
        return set((await _dues(http, stack, tokens)).values()) == {"2027-03-08T02:00:00Z"}

    await eventually(every_service_back_to_monday, timeout=60, message="all five services back on the found calendar")
