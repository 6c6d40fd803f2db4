"""tickets_open_complaints{channel, priority}: every pair from start-up, refreshed by the
complaint-gauges job (every minute, run by the SLA scheduler), read off /metrics as Prometheus
scrapes it: the count of complaints neither closed nor merged."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from ..kit import hand_over, message


async def _open(client: httpx.AsyncClient) -> dict[tuple[str, str], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    return {
        (sample.labels["channel"], sample.labels["priority"]): sample.value
        for family in text_string_to_metric_families(response.text)
        if family.name == "tickets_open_complaints"
        for sample in family.samples
    }


async def _counted(app: FastAPI) -> dict[tuple[str, str], int]:
    async with app.state.db.sessionmaker() as session:
        query = "SELECT channel, priority, count(*) AS n FROM complaints WHERE state NOT IN ('closed', 'merged')"
        rows = await session.execute(text(query + " GROUP BY 1, 2"))
        return {(row.channel, row.priority): row.n for row in rows}


async def test_every_channel_and_priority_has_a_series_from_the_start(client: httpx.AsyncClient) -> None:
    series = await _open(client)
    assert len(series) == 6 * 4
    assert ("weibo", "urgent") in series


async def test_the_job_sets_open_complaints_and_a_closed_one_leaves(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    recorded = await hand_over(client, tokens, message("weibo", received_at=clock.now().isoformat()))
    assert recorded["priority"] == "high"  # the public-channel rule
    clock.advance(timedelta(minutes=1))
    await app.state.sla_scheduler.tick()
    before = await _open(client)
    expected = await _counted(app)
    assert {pair: value for pair, value in before.items() if value} == {p: float(n) for p, n in expected.items()}
    assert before[("weibo", "high")] >= 1

    closed = await client.post(f"/complaints/{recorded['id']}/close", json={"resolution": "resent"},
                               headers=tokens.headers(Role.agent))  # fmt: skip
    assert closed.status_code == 200, closed.text
    clock.advance(timedelta(minutes=1))
    await app.state.sla_scheduler.tick()
    after = await _open(client)
    assert after[("weibo", "high")] == before[("weibo", "high")] - 1
