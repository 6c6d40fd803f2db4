"""Chinese statutory holidays and make-up working days (调休), from the ``holidays`` package.

Years the State Council has published come from the package's official tables (holidays
and the weekend days worked in exchange). Any other year is computed by rule from the
statutory holidays the law fixes (lunar dates included; a holiday on a weekend moves to
the next working day), with no make-up days: never an error, but *provisional*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol

import holidays
from holidays.countries.china import ChinaStaticHolidays


class HolidaySource(Protocol):
    def holidays_in(self, year: int) -> frozenset[date]:
        """Statutory days off (including days off moved by the official arrangement)."""
        ...

    def workdays_in(self, year: int) -> frozenset[date]:
        """Weekend days that are working days (make-up days) in that year."""
        ...

    def is_official(self, year: int) -> bool:
        """Whether the year's arrangement is published (False: computed by rule, provisional)."""
        ...


@dataclass(frozen=True)
class _Year:
    holidays: frozenset[date]
    workdays: frozenset[date]


@lru_cache(maxsize=256)
def _china_year(year: int) -> _Year:
    if not 1 <= year <= 9999:
        return _Year(frozenset(), frozenset())
    table = holidays.country_holidays("CN", years=year, categories=("public",))
    # A make-up day can belong to the previous year's arrangement (e.g. a late-December
    # Saturday worked for 2 January), so look at the following year's table too.
    following = holidays.country_holidays("CN", years=year + 1, categories=("public",)) if year < 9999 else table
    workdays = {d for d in (*table.weekend_workdays, *following.weekend_workdays) if d.year == year}
    return _Year(frozenset(d for d in table if d.year == year), frozenset(workdays))


_OFFICIAL_YEARS = frozenset(ChinaStaticHolidays.special_public_holidays)


class ChinaHolidays:
    """The default :class:`HolidaySource`, cached per year."""

    def holidays_in(self, year: int) -> frozenset[date]:
        return _china_year(year).holidays

    def workdays_in(self, year: int) -> frozenset[date]:
        return _china_year(year).workdays

    def is_official(self, year: int) -> bool:
        return year in _OFFICIAL_YEARS


class NoHolidays:
    """A source without holidays (weekly schedule and overrides only); every year is official."""

    def holidays_in(self, year: int) -> frozenset[date]:
        return frozenset()

    def workdays_in(self, year: int) -> frozenset[date]:
        return frozenset()

    def is_official(self, year: int) -> bool:
        return True
