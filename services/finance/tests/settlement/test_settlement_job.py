"""The 10th's settlement run: once across replicas, on the right day, for the previous month."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar, default_calendar
from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_sla import SlaScheduler
from finance_service.settlement.jobs import JOBS

from .kit import feed, paid_order


async def test_monthly_job_drafts_the_previous_month_once_on_the_10th(
    runner: ConsumerRunner, database: Database, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:8]}"
    await feed(runner, *paid_order(f"{merchant}-A", merchant, 4200, datetime(2027, 2, 20, 3, tzinfo=UTC)))
    calendar = default_calendar()

    async def current(_: AsyncSession) -> BusinessCalendar:
        return calendar

    clock = ManualClock(datetime(2027, 3, 9, 15, tzinfo=UTC))  # 23:00 on the 9th in Shanghai
    replicas = [
        SlaScheduler(service="finance", sessionmaker=database.sessionmaker, calendar=current, clock=clock, jobs=JOBS)
        for _ in range(3)
    ]

    async def drafts() -> list[dict]:
        params = {"merchant_id": merchant}
        return (await client.get("/settlements", params=params, headers=tokens.headers(Role.finance))).json()["items"]

    await asyncio.gather(*(r.tick() for r in replicas))
    assert await drafts() == []
    clock.advance(timedelta(hours=10, minutes=1))  # 09:01 on Wednesday the 10th
    results = await asyncio.gather(*(r.tick() for r in replicas))
    assert sum(r.jobs_run for r in results) == 1
    found = await drafts()
    assert [(s["month"], s["status"], s["net_minor"], s["created_by"]) for s in found] == [
        ("2027-02-01", "draft", 4200, "system:merchant-settlement")
    ]
    clock.advance(timedelta(days=1))
    results = await asyncio.gather(*(r.tick() for r in replicas))
    assert sum(r.jobs_run for r in results) == 0
