"""The calendar against the published 2025 and 2026 arrangements (国务院办公厅通知)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from aftersales_calendar import default_calendar

# (first day off, last day off, make-up working days)
ARRANGEMENTS = {
    "2025 Spring Festival": (date(2025, 1, 28), date(2025, 2, 4), [date(2025, 1, 26), date(2025, 2, 8)]),
    "2025 National Day": (date(2025, 10, 1), date(2025, 10, 8), [date(2025, 9, 28), date(2025, 10, 11)]),
    "2026 Spring Festival": (date(2026, 2, 15), date(2026, 2, 23), [date(2026, 2, 14), date(2026, 2, 28)]),
    "2026 National Day": (date(2026, 10, 1), date(2026, 10, 7), [date(2026, 9, 20), date(2026, 10, 10)]),
}


@pytest.mark.parametrize("name", ARRANGEMENTS)
def test_published_arrangement(name: str) -> None:
    first, last, make_up = ARRANGEMENTS[name]
    cal = default_calendar()
    day = first
    while day <= last:
        assert not cal.is_working_day(day), day
        day += timedelta(days=1)
    assert (
        cal.is_working_day(first - timedelta(days=1)) or first.weekday() >= 5 or (first - timedelta(days=1)) in make_up
    )
    for worked in make_up:
        assert worked.weekday() >= 5, f"{worked} is a make-up weekend day"
        assert cal.is_working_day(worked), worked
        assert not cal.is_provisional(worked)


def test_agrees_with_the_holiday_library_for_2025_and_2026() -> None:
    table = holidays.country_holidays("CN", years=[2025, 2026])
    cal = default_calendar()
    day = date(2025, 1, 1)
    while day.year < 2027:
        expected = day in table.weekend_workdays if day.weekday() >= 5 else day not in table
        assert cal.is_working_day(day) == expected, day
        day += timedelta(days=1)
