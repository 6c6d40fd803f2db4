"""M: the daily 09:00 parcel log is a fixed-time job on working days, run once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import ingest, scan, tracking_number

MONDAY_0800 = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # 08:00 Asia/Shanghai


async def test_the_0900_log_lists_the_parcels_that_arrived_since_the_last(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    clock.set(MONDAY_0800)
    await app.state.sla_scheduler.tick()  # earlier days' logs, if any are pending
    body = await ingest(client, tokens, [scan(clock, tracking_number(), sender_name="Early Bird")])
    pid = body["parcels"][0]["parcel_id"]
    clock.set(MONDAY_0800 + timedelta(hours=1, minutes=1))
    assert (await app.state.sla_scheduler.tick()).jobs_run >= 1
    assert (await app.state.sla_scheduler.tick()).jobs_run == 0  # once, however often it ticks
    logs = (await client.get("/parcels/logs", headers=tokens.headers(Role.warehouse))).json()["items"]
    [today] = [run for run in logs if run["run_date"] == "2026-12-07"]
    assert today["parcels"] >= 1
    assert today["unmatched"] >= 1
    parcel = (await client.get(f"/parcels/{pid}", headers=tokens.headers(Role.agent))).json()
    assert parcel["logged_on"] == "2026-12-07"
