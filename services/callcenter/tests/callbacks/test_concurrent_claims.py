"""50 agents claiming at once on real PostgreSQL: every task leased to exactly one of them."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import httpx

from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from callcenter_service.callbacks.repository import CallbackRepository

from .kit import empty_queue, open_task

CLAIMERS = 50
TASKS = 120


async def test_fifty_concurrent_claimers_never_claim_one_task_twice(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    await empty_queue(database)
    created = {(await open_task(client, tokens, "outreach"))["id"] for _ in range(TASKS)}
    now, start = clock.now(), asyncio.Event()

    async def claimer(agent: str) -> list[str]:
        mine: list[str] = []
        await start.wait()
        while True:  # each claim its own transaction, as each request is
            async with database.sessionmaker() as session, session.begin():
                task = await CallbackRepository(session).claim_next(agent, now, timedelta(minutes=10))
            if task is None:
                return mine
            mine.append(str(task["id"]))

    running = [asyncio.create_task(claimer(f"agent-{n}")) for n in range(CLAIMERS)]
    start.set()
    claims = [task_id for result in await asyncio.gather(*running) for task_id in result]

    doubles = [task_id for task_id, count in Counter(claims).items() if count > 1]
    assert doubles == []
    assert set(claims) == created
    assert sum(1 for result in running if result.result()) > 1  # the work was in fact shared
