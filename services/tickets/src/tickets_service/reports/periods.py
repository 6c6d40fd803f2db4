"""Report periods in the business calendar's zone (§10): a day, a week (Monday 00:00 to Sunday
24:00), a month, a quarter; each the half-open instant range [start, end) it covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a local day begins."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    label: str  # 2026-11-24, 2026-W48, 2026-11, 2026-Q4, 2026-11-01..2026-11-30
    first: date  # the first local day
    end: date  # the local day after the last
    zone: ZoneInfo

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.first, self.zone)

    @property
    def end_at(self) -> datetime:
        return local_midnight(self.end, self.zone)

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def months(self) -> list[Period]:
        out, month = [], self.first.replace(day=1)
        while month < self.end:
            out.append(month_period(month, self.zone))
            month = add_months(month, 1)
        return out


def days_period(first: date, last: date, zone: ZoneInfo) -> Period:
    return Period(f"{first.isoformat()}..{last.isoformat()}", first, last + timedelta(days=1), zone)


def week_period(monday: date, zone: ZoneInfo) -> Period:
    year, week, _ = monday.isocalendar()
    return Period(f"{year}-W{week:02d}", monday, monday + timedelta(days=7), zone)


def month_period(first: date, zone: ZoneInfo) -> Period:
    return Period(f"{first:%Y-%m}", first, add_months(first, 1), zone)


def quarter_period(first: date, zone: ZoneInfo) -> Period:
    return Period(f"{first.year}-Q{(first.month - 1) // 3 + 1}", first, add_months(first, 3), zone)
