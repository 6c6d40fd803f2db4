"""Applying the owner's CalendarChanged (issue 17 item 8): newest wins, a duplicate or an
older event changes nothing, and each event replaces the whole calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError
from sqlalchemy import delete

from aftersales_calendar.schemas import SettingsIn
from aftersales_calendar.shared import apply_change
from aftersales_calendar.store import calendar_overrides, calendar_settings, load_overrides, load_settings
from aftersales_events.catalogue.calendar import CalendarChanged, CalendarDay

from .kit import CalendarHarness

NINE_TO_SIX = (time(9), time(18))


def _changed(version: int, *days: CalendarDay, saturday: tuple[time, time] | None = None) -> CalendarChanged:
    weekly: dict[str, tuple[time, time] | None] = {str(d): NINE_TO_SIX for d in range(5)} | {"5": saturday, "6": None}
    return CalendarChanged(
        calendar_version=version,
        zone="Asia/Shanghai",
        weekly_hours=weekly,
        overrides=list(days),
        changed_by="sup",
        changed_at=datetime(2026, 12, 4, tzinfo=UTC),
    )


async def test_the_newest_calendar_wins_whatever_the_order_and_the_repeats(calendar_service: CalendarHarness) -> None:
    closed = CalendarDay(day=date(2027, 3, 8), kind="closed", note="stocktaking")
    opened = CalendarDay(day=date(2027, 3, 13), kind="open")
    try:
        async with calendar_service.sessionmaker() as session, session.begin():
            assert await apply_change(session, _changed(2, closed, saturday=(time(10), time(16))))
        for stale in (_changed(2), _changed(1, opened)):  # a duplicate, then an older one
            async with calendar_service.sessionmaker() as session, session.begin():
                assert not await apply_change(session, stale)
        async with calendar_service.sessionmaker() as session:
            held = await load_settings(session)
            assert held is not None
            assert (held.version, held.weekly_hours[5]) == (2, (time(10), time(16)))
            assert [o.day for o in await load_overrides(session)] == [date(2027, 3, 8)]
        async with calendar_service.sessionmaker() as session, session.begin():
            assert await apply_change(session, _changed(3, opened))  # the whole calendar: Monday reopens
        async with calendar_service.sessionmaker() as session:
            assert [o.day for o in await load_overrides(session)] == [date(2027, 3, 13)]
    finally:
        async with calendar_service.sessionmaker() as session, session.begin():
            await session.execute(delete(calendar_settings))
            await session.execute(delete(calendar_overrides))


def test_settings_that_cannot_make_a_calendar_are_refused() -> None:
    week = {str(day): ("09:00", "18:00") for day in range(7)}
    assert SettingsIn.model_validate({"zone": "Europe/Berlin", "weekly_hours": week}).hours()[6] == NINE_TO_SIX
    for wrong in (
        {"zone": "Asia/Nowhere", "weekly_hours": week},
        {"zone": "../etc/passwd", "weekly_hours": week},
        {"zone": "UTC", "weekly_hours": {str(day): None for day in range(7)}},  # never working time
        {"zone": "UTC", "weekly_hours": {**week, "0": ("18:00", "09:00")}},
        {"zone": "UTC", "weekly_hours": {k: v for k, v in week.items() if k != "3"}},
    ):
        with pytest.raises(ValidationError):
            SettingsIn.model_validate(wrong)
