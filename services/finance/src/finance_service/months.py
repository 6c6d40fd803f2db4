"""Accounting months: a month is its first day; its bounds are in the business zone,
which the caller reads from the business calendar (:mod:`finance_service.zone`)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aftersales_chassis import RuleViolation, dates


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_start(month: date, zone: ZoneInfo) -> datetime:
    """The instant the month begins in ``zone``."""
    return datetime.combine(month_of(month), datetime.min.time(), tzinfo=zone)


def parse_month(value: str) -> date:
    try:
        return dates.parse_month(value)
    except ValueError as error:
        raise RuleViolation("period.format", f"'{value}': {error}", parameter="month") from error
