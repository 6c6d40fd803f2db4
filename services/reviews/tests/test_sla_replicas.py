"""Two reviews replicas racing: every 24 h call clock warns once and breaches once, and the
hourly amendment-window job closes each case once (ReviewCaseClosed once)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_sla import SlaScheduler
from reviews_service.figures.jobs import JOBS as FIGURE_JOBS
from reviews_service.reviews.jobs import JOBS as CASE_JOBS

from .kit import act, review, take_in


def _replica(database: Database, clock: ManualClock) -> SlaScheduler:
    calendar = BusinessCalendar()

    async def current(_: AsyncSession) -> BusinessCalendar:
        return calendar

    return SlaScheduler(
        service="reviews",
        sessionmaker=database.sessionmaker,
        calendar=current,
        clock=clock,
        jobs=[*CASE_JOBS, *FIGURE_JOBS],
        batch_size=3,
        job_lookback=timedelta(hours=2),
    )


async def _count(database: Database, kind: str, keys: list[str]) -> dict[str, int]:
    async with database.sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT message_key, count(*) FROM outbox WHERE message_key = ANY(:keys) AND event_type LIKE :kind"
                " GROUP BY message_key"
            ),
            {"keys": keys, "kind": f"%.{kind}.%"},
        )
        return {row[0]: int(row[1]) for row in rows}


async def test_racing_replicas_warn_and_breach_each_call_once(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    cases = [(await take_in(client, tokens, review(clock.now())))["case_id"] for _ in range(8)]
    first, second = _replica(database, clock), _replica(database, clock)
    clock.advance(timedelta(hours=20, minutes=1))  # inside the 4 h warning lead
    await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    assert await _count(database, "SlaWarning", cases) == dict.fromkeys(cases, 1)
    assert await _count(database, "SlaBreached", cases) == {}
    clock.advance(timedelta(hours=4))  # 24 h 1 min after the reviews
    await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    assert await _count(database, "SlaBreached", cases) == dict.fromkeys(cases, 1)
    # The late call stops the breached clock without announcing the breach again.
    await act(client, tokens, cases[0], "call", {"finding": "misunderstanding", "note": "late"})
    assert (await _count(database, "SlaBreached", cases))[cases[0]] == 1


async def test_racing_replicas_close_each_expired_window_once(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    cases = []
    for _ in range(4):
        case_id = (await take_in(client, tokens, review(clock.now())))["case_id"]
        await act(client, tokens, case_id, "call", {"finding": "misunderstanding", "note": "x"})
        await act(client, tokens, case_id, "answer")
        await act(client, tokens, case_id, "ask-amend")
        cases.append(case_id)
    clock.advance(timedelta(days=30, minutes=30))  # Taobao's window closed half an hour ago
    first, second = _replica(database, clock), _replica(database, clock)
    await asyncio.gather(first.tick(), second.tick())
    assert await _count(database, "ReviewCaseClosed", cases) == dict.fromkeys(cases, 1)
    for case_id in cases:
        case = (await client.get(f"/cases/{case_id}", headers=tokens.headers(Role.agent))).json()
        assert (case["state"], case["outcome"]) == ("not_amended", "not amended: window closed")
