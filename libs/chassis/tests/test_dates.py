"""The days, months and instants a request may carry: 2000-01-01 to 2099-12-31, at and across
each bound."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from aftersales_chassis import Day, Instant, Month
from aftersales_chassis.dates import Quarter, Week

DAY, INSTANT, MONTH = TypeAdapter(Day), TypeAdapter(Instant), TypeAdapter(Month)


@pytest.mark.parametrize("value", ["2000-01-01", "2026-12-02", "2099-12-31"])
def test_days_in_the_range_are_accepted(value: str) -> None:
    assert DAY.validate_python(value) == date.fromisoformat(value)


@pytest.mark.parametrize("value", ["0001-01-01", "1970-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_days_outside_the_range_are_refused_with_the_range(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        DAY.validate_python(value)
    assert refused.value.errors()[0]["msg"] == "must be a day from 2000-01-01 to 2099-12-31"


@pytest.mark.parametrize(
    "value",
    ["2000-01-01T00:00:00Z", "2000-01-01T08:00:00+08:00", "2099-12-31T23:59:59.999999Z", "2099-12-31T12:00-11:00"],
)
def test_instants_in_the_range_are_accepted(value: str) -> None:
    assert INSTANT.validate_python(value).tzinfo is not None


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+14:00",  # before year 1 in UTC: the driver could not store it
        "1970-01-01T00:00:00Z",  # a scanner whose clock was reset
        "2000-01-01T07:59:59+08:00",  # 1999 in UTC
        "2100-01-01T00:00:00Z",
        "2099-12-31T23:00:00-12:00",  # 2100 in UTC
        "9999-12-31T23:59:59-12:00",
    ],
)
def test_instants_outside_the_range_are_refused(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        INSTANT.validate_python(value)
    assert refused.value.errors()[0]["msg"] == "must be an instant from 2000-01-01 to 2099-12-31 (UTC)"


def test_instants_need_an_offset() -> None:
    with pytest.raises(ValidationError):
        INSTANT.validate_python("2026-12-02T10:00:00")


@pytest.mark.parametrize(("value", "first"), [("2000-01", date(2000, 1, 1)), ("2099-12", date(2099, 12, 1))])
def test_months_in_the_range_are_their_first_day(value: str, first: date) -> None:
    assert MONTH.validate_python(value) == first


@pytest.mark.parametrize("value", ["0000-01", "1999-12", "2100-01", "9999-12"])
def test_months_outside_the_range_are_refused(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        MONTH.validate_python(value)
    assert refused.value.errors()[0]["msg"] == "must be a month from 2000-01 to 2099-12"


@pytest.mark.parametrize("value", ["2026-13", "2026-00", "2026-1", "26-11", "2026-11-01", "", None, 202611])
def test_what_is_not_a_month_is_refused(value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        MONTH.validate_python(value)
    assert refused.value.errors()[0]["msg"] == "must be a month written YYYY-MM"


def test_the_month_is_documented_as_text() -> None:
    assert MONTH.json_schema() == {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "examples": ["2026-11"]}


WEEK_ADAPTER, QUARTER_ADAPTER = TypeAdapter(Week), TypeAdapter(Quarter)


@pytest.mark.parametrize(
    ("value", "monday"),
    [("2026-W48", date(2026, 11, 23)), ("2026-W53", date(2026, 12, 28)), ("2000-W01", date(2000, 1, 3)),
     ("2020-W01", date(2019, 12, 30)), ("2099-W52", date(2099, 12, 21))],
)  # fmt: skip
def test_iso_weeks_are_their_monday(value: str, monday: date) -> None:
    assert WEEK_ADAPTER.validate_python(value) == monday


@pytest.mark.parametrize("value", ["2025-W53", "2026-W00", "2026-W54", "2026-48", "2026W48", "1999-W52", "2099-W53"])
def test_weeks_that_do_not_exist_or_fall_outside_the_range_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        WEEK_ADAPTER.validate_python(value)


@pytest.mark.parametrize(("value", "first"), [("2026-Q1", date(2026, 1, 1)), ("2026-Q4", date(2026, 10, 1))])
def test_quarters_are_their_first_day(value: str, first: date) -> None:
    assert QUARTER_ADAPTER.validate_python(value) == first


@pytest.mark.parametrize("value", ["2026-Q0", "2026-Q5", "2026-4", "1999-Q4", "2100-Q1"])
def test_quarters_outside_the_range_or_malformed_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        QUARTER_ADAPTER.validate_python(value)
