"""The queue's gauges on /metrics: depth by class, on-time ratio by kind, attempts per task,
the call-loss rate."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from callcenter_service.callbacks.kinds import RULES

from .kit import claim, empty_queue, open_task, outcome


def _gauge(text: str, line_start: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(line_start)]
    return float(line.rsplit(" ", 1)[1])


async def test_the_gauges_follow_the_queue(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 10, 13, 2, 0, tzinfo=UTC))  # a Tuesday no other test ticks at
    await empty_queue(database)
    await app.state.sla_scheduler.tick()
    for _ in range(3):
        await open_task(client, tokens, "outreach")
    reached = await open_task(client, tokens, "new_signup")
    lease = (await claim(client, tokens)).json()
    assert lease["task"]["id"] == reached["id"]
    await outcome(client, tokens, reached["id"], lease["lease_token"], "reached", summary="ok")
    clock.advance(timedelta(minutes=5))
    await app.state.sla_scheduler.tick()
    metrics = (await client.get("/metrics")).text
    assert _gauge(metrics, 'callcenter_queue_depth{priority_class="low",timing="open"}') == 3
    assert _gauge(metrics, 'callcenter_queue_depth{priority_class="highest",timing="open"}') == 0
    assert _gauge(metrics, 'callcenter_on_time_ratio{kind="new_signup"}') > 0
    assert _gauge(metrics, "callcenter_attempts_per_task ") >= 1
    assert "callcenter_call_loss_rate_percent" in metrics


def test_a_freshly_started_service_has_a_queue_depth_series_for_every_class() -> None:
    """Before the refresh job's first run (it runs every 5 min), /metrics of a new process has
    every class and timing, so the dashboard's queue panel answers from start-up."""
    script = (
        "import callcenter_service.main\n"
        "from prometheus_client import generate_latest\n"
        "print(generate_latest().decode())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for priority_class in {rule.priority_class for rule in RULES.values()}:
        for timing in ("open", "leased", "at_risk", "breached"):
            series = f'callcenter_queue_depth{{priority_class="{priority_class}",timing="{timing}"}}'
            assert _gauge(done.stdout, series) == 0
    assert _gauge(done.stdout, "callcenter_call_loss_rate_percent ") == 0
