"""The missed-call sweeps: 10:00, 13:00, 15:00, 17:00 on working days, once; a caller's
calls become one callback due the same day; calls after 17:00 or on a non-working day wait
for the next working day's 10:00 sweep."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import httpx
from fastapi import FastAPI

from aftersales_calendar import Override, default_calendar
from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens
from callcenter_service.calls.jobs import JOBS

from ..callbacks.kit import phone
from .kit import call_id, event, send

SWEEP = JOBS[0]


def _shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour - 8, minute, tzinfo=UTC)


async def _call(client: httpx.AsyncClient, tokens: Tokens, reference: str) -> dict[str, object]:
    body: dict[str, object] = (await client.get(f"/calls/{reference}", headers=tokens.headers(Role.agent))).json()
    return body


async def test_sweeps_turn_missed_calls_into_callbacks_due_the_same_day(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    scheduler = app.state.sla_scheduler
    clock.set(_shanghai(14, 9))  # Monday 2026-12-14 09:00
    await scheduler.tick()
    caller, late_caller, weekend_caller = phone(), phone(), phone()
    morning, again = call_id(), call_id()
    await send(client, tokens, event(morning, "abandoned", "2026-12-14T09:30:00+08:00", caller, wait=2))
    clock.set(_shanghai(14, 10, 1))
    await scheduler.tick()
    swept = await _call(client, tokens, morning)
    assert swept["swept_at"] is not None
    task = (await client.get(f"/callbacks/{swept['callback_task_id']}", headers=tokens.headers(Role.agent))).json()
    assert (task["kind"], task["priority_class"], task["source_step"], task["phone"]) == (
        "missed_call", "highest", "§7.1", caller,
    )  # fmt: skip
    assert datetime.fromisoformat(task["due_at"]) == _shanghai(14, 18)
    assert (await scheduler.tick()).jobs_run == 0  # once, however often it ticks

    # The same caller misses again before the 13:00 sweep: the open callback covers it.
    await send(client, tokens, event(again, "missed_outside_hours", "2026-12-14T12:00:00+08:00", caller))
    late = call_id()
    await send(client, tokens, event(late, "abandoned", "2026-12-14T17:30:00+08:00", late_caller, wait=20))
    clock.set(_shanghai(14, 17, 31))
    await scheduler.tick()
    assert (await _call(client, tokens, again))["callback_task_id"] == swept["callback_task_id"]
    assert (await _call(client, tokens, late))["swept_at"] is None  # after the 17:00 sweep
    listed = (await client.get("/calls/missed", params={"limit": 200}, headers=tokens.headers(Role.agent))).json()
    assert late in {c["call_id"] for c in listed["items"]}

    clock.set(_shanghai(15, 10, 1))  # Tuesday's 10:00 sweep takes it
    await scheduler.tick()
    taken = await _call(client, tokens, late)
    late_task = (await client.get(f"/callbacks/{taken['callback_task_id']}", headers=tokens.headers(Role.agent))).json()
    assert datetime.fromisoformat(late_task["due_at"]) == _shanghai(15, 18)

    weekend = call_id()
    clock.set(_shanghai(19, 11))  # Saturday
    await scheduler.tick()
    await send(client, tokens, event(weekend, "missed_outside_hours", "2026-12-19T11:00:00+08:00", weekend_caller))
    clock.set(_shanghai(19, 17, 1))
    await scheduler.tick()
    assert (await _call(client, tokens, weekend))["swept_at"] is None  # no sweeps on a non-working day
    clock.set(_shanghai(21, 10, 1))  # Monday
    await scheduler.tick()
    monday = await _call(client, tokens, weekend)
    assert monday["callback_task_id"] is not None


def test_sweeps_run_on_make_up_days_and_never_on_holidays() -> None:
    calendar = default_calendar(
        [Override(day=date(2026, 12, 19), kind="open"), Override(day=date(2026, 12, 22), kind="closed")]
    )
    runs = SWEEP.runs_between(calendar, _shanghai(18, 23), _shanghai(23, 23))
    by_day: dict[date, list[time]] = {}
    for instant in runs:
        local = instant.astimezone(calendar.zone)
        by_day.setdefault(local.date(), []).append(local.time())
    times = [time(10), time(13), time(15), time(17)]
    assert by_day == {date(2026, 12, 19): times, date(2026, 12, 21): times, date(2026, 12, 23): times}
