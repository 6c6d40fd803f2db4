"""The provisional flag (issue 17 item 5): set only on a working-time clock whose due
instant falls in a year without the official holiday data; never on a wall-clock clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database
from aftersales_sla import SlaClocks, sla_clocks

from .kit import POLICIES, TUESDAY_10AM

# A Tuesday 10:00 in Shanghai in a year the State Council has not published yet.
UNPUBLISHED_TUESDAY_10AM = datetime(2031, 11, 25, 2, 0, tzinfo=UTC)


async def _started(database: Database, calendar: BusinessCalendar, step: str, at: datetime) -> tuple[bool, datetime]:
    aggregate_id = f"agg-{uuid.uuid4().hex[:10]}"
    async with database.sessionmaker() as session, session.begin():
        await SlaClocks(session, calendar, POLICIES, at).start(step, "test", aggregate_id)
    async with database.sessionmaker() as session, session.begin():
        row = (await session.execute(select(sla_clocks).where(sla_clocks.c.aggregate_id == aggregate_id))).one()
        # Stopped, so the schedulers other tests of this database tick never fire it.
        await SlaClocks(session, calendar, POLICIES, at).stop(step, aggregate_id, by="test")
    return row.provisional, row.due_at


@pytest.mark.parametrize(
    ("step", "at", "provisional"),
    [
        ("C2", UNPUBLISHED_TUESDAY_10AM, True),  # working time, a year without official data
        ("C1", UNPUBLISHED_TUESDAY_10AM, False),  # wall clock: the holidays cannot move it
        ("C2", TUESDAY_10AM, False),  # working time in a published year
        ("C1", TUESDAY_10AM, False),
    ],
)
async def test_only_working_time_due_in_an_unpublished_year_is_provisional(
    database: Database, calendar: BusinessCalendar, clock: ManualClock, step: str, at: datetime, provisional: bool
) -> None:
    assert calendar.is_provisional(UNPUBLISHED_TUESDAY_10AM.date())
    assert not calendar.is_provisional(TUESDAY_10AM.date())
    flag, due = await _started(database, calendar, step, at)
    assert flag is provisional
    assert due == at + (timedelta(hours=1) if step == "C1" else timedelta(hours=2))
