"""The days, months and instants the platform accepts from outside: 2000-01-01 to 2099-12-31.

Python's dates end at 9999-12-31 and begin at year 1, so a report for December 9999 failed on
computing the next month, and a day of year 1 in the business zone fell before year 1 in UTC
and failed in the database driver: a 500 or a misleading 409, never the client's 422. No
after-sales fact or report lies outside this century, and the bounds also catch a scanner
whose clock was reset (to 1970, or to year 1). Use these types for every date or time a
request carries (query, path or body); values the platform makes itself need no check.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_AFTER_LATEST = datetime(2100, 1, 1, tzinfo=UTC)
SUPPORTED = f"{EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH_PATTERN)
WEEK_PATTERN = r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"
_WEEK = re.compile(WEEK_PATTERN)
QUARTER_PATTERN = r"^\d{4}-Q[1-4]$"
_QUARTER = re.compile(QUARTER_PATTERN)


def _out_of_range(message: str) -> PydanticCustomError:
    # A ValueError (so callers outside pydantic can catch it) with an error code of its own,
    # which a problem's `errors[].code` carries, and a message pydantic reports as it is.
    return PydanticCustomError("date_out_of_range", message)


def check_day(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise _out_of_range(f"must be a day from {SUPPORTED}")
    return value


def check_instant(value: datetime) -> datetime:
    if not _EARLIEST <= value < _AFTER_LATEST:
        raise _out_of_range(f"must be an instant from {SUPPORTED} (UTC)")
    return value


def parse_month(value: Any) -> date:
    """'YYYY-MM' → the month's first day, within the supported range (a ValueError otherwise)."""
    if isinstance(value, date):
        first = value.replace(day=1)
    elif isinstance(value, str) and _MONTH.match(value):
        first = date(max(int(value[:4]), 1), int(value[5:7]), 1)  # year 0000 is out of range too
    else:
        raise PydanticCustomError("month_format", "must be a month written YYYY-MM")
    if not EARLIEST_DAY <= first <= LATEST_DAY:
        raise _out_of_range(f"must be a month from {EARLIEST_DAY:%Y-%m} to {LATEST_DAY:%Y-%m}")
    return first


def parse_week(value: Any) -> date:
    """'YYYY-Www' (ISO 8601: weeks run Monday to Sunday, week 1 holds the year's first Thursday)
    → the week's Monday, within the supported range (a ValueError otherwise)."""
    if not (isinstance(value, str) and _WEEK.match(value)):
        raise PydanticCustomError("week_format", "must be an ISO week written YYYY-Www, e.g. 2026-W48")
    year, week = int(value[:4]), int(value[6:8])
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:  # week 53 of a year that has 52, or year 0000
        raise PydanticCustomError("week_format", "{value} has no such ISO week", {"value": value}) from None
    if not EARLIEST_DAY <= monday <= LATEST_DAY - timedelta(days=6):
        raise _out_of_range(f"must be a week within {SUPPORTED}")
    return monday


def parse_quarter(value: Any) -> date:
    """'YYYY-Qn' → the quarter's first day, within the supported range (a ValueError otherwise)."""
    if not (isinstance(value, str) and _QUARTER.match(value)):
        raise PydanticCustomError("quarter_format", "must be a quarter written YYYY-Qn, e.g. 2026-Q4")
    first = date(max(int(value[:4]), 1), 3 * (int(value[6]) - 1) + 1, 1)
    if not EARLIEST_DAY <= first <= LATEST_DAY:
        raise _out_of_range(f"must be a quarter from {EARLIEST_DAY.year}-Q1 to {LATEST_DAY.year}-Q4")
    return first


Day = Annotated[date, AfterValidator(check_day)]
"""A calendar day from 2000-01-01 to 2099-12-31."""

Instant = Annotated[AwareDatetime, AfterValidator(check_instant)]
"""An instant with a UTC offset, from 2000-01-01 to 2099-12-31 (UTC)."""

Month = Annotated[
    date,
    BeforeValidator(parse_month),
    WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN, "examples": ["2026-11"]}),
]
"""A month written YYYY-MM, given to the handler as its first day."""

Week = Annotated[
    date,
    BeforeValidator(parse_week),
    WithJsonSchema({"type": "string", "pattern": WEEK_PATTERN, "examples": ["2026-W48"]}),
]
"""An ISO week written YYYY-Www, given to the handler as its Monday."""

Quarter = Annotated[
    date,
    BeforeValidator(parse_quarter),
    WithJsonSchema({"type": "string", "pattern": QUARTER_PATTERN, "examples": ["2026-Q4"]}),
]
"""A quarter written YYYY-Qn, given to the handler as its first day."""
