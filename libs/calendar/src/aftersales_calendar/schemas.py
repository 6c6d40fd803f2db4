"""Pydantic I/O for the calendar API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from aftersales_events.catalogue.calendar import CALENDAR_OWNER

from .calendar import BusinessCalendar, Override, OverrideKind


class OverrideIn(BaseModel):
    """What a supervisor sets for one day."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"kind": "closed", "note": "stocktaking"},
                {"kind": "open", "note": "618 campaign Saturday"},
                {"kind": "hours", "opens": "10:00", "closes": "16:00", "note": "short day before the holiday"},
            ]
        }
    )

    kind: OverrideKind = Field(
        description="`closed`: extra closure; `open`: extra working day with the default hours; "
        "`hours`: different hours that day (needs `opens` and `closes`)."
    )
    opens: time | None = Field(default=None, description="Local opening time (only for `hours`).")
    closes: time | None = Field(default=None, description="Local closing time (only for `hours`), after `opens`.")
    note: str = Field(default="", max_length=500, description="Why, for the other operators.")

    @model_validator(mode="after")
    def _hours_match_kind(self) -> Self:
        if self.kind == "hours":
            if self.opens is None or self.closes is None or not self.opens < self.closes:
                raise ValueError("kind 'hours' needs opens and closes, with opens before closes")
        elif self.opens is not None or self.closes is not None:
            raise ValueError(f"kind '{self.kind}' takes no opens/closes")
        return self

    def to_override(self, day: date) -> Override:
        return Override(day=day, kind=self.kind, opens=self.opens, closes=self.closes, note=self.note)


class OverrideOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "day": "2026-06-20",
                    "kind": "open",
                    "opens": None,
                    "closes": None,
                    "note": "618 campaign Saturday",
                    "created_by": "sup-1",
                    "created_at": "2026-06-01T02:00:00Z",
                }
            ]
        }
    )

    day: date
    kind: OverrideKind
    opens: time | None
    closes: time | None
    note: str
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, override: Override, created_by: str, created_at: datetime) -> OverrideOut:
        return cls(
            day=override.day,
            kind=override.kind,
            opens=override.opens,
            closes=override.closes,
            note=override.note,
            created_by=created_by,
            created_at=created_at,
        )


class WorkingTimeOut(BaseModel):
    """Is the shop working at ``at``, and when does work next start?"""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "at": "2025-01-26T02:00:00Z",
                    "zone": "Asia/Shanghai",
                    "working_time": True,
                    "working_day": True,
                    "next_opening": "2025-01-26T02:00:00Z",
                    "provisional": False,
                    "opens": "2025-01-26T09:00:00+08:00",
                    "closes": "2025-01-26T18:00:00+08:00",
                }
            ]
        }
    )

    at: AwareDatetime
    zone: str
    working_time: bool
    working_day: bool = Field(description="Whether the local day of `at` is a working day.")
    next_opening: AwareDatetime = Field(description="`at` itself when working, else the next opening (UTC).")
    provisional: bool = Field(
        description="True when the year's official holiday arrangement is not published yet: "
        "computed by rule from the statutory holidays, weekends and overrides."
    )
    opens: AwareDatetime | None = Field(description="That day's opening, local time; null on a closed day.")
    closes: AwareDatetime | None = Field(description="That day's closing, local time; null on a closed day.")


class SettingsIn(BaseModel):
    """The calendar's zone and weekly hours; Monday is "0", a day without hours is closed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "zone": "Asia/Shanghai",
                    "weekly_hours": {
                        "0": ["09:00", "18:00"], "1": ["09:00", "18:00"], "2": ["09:00", "18:00"],
                        "3": ["09:00", "18:00"], "4": ["09:00", "18:00"], "5": ["10:00", "14:00"], "6": None,
                    },
                }
            ]
        },
    )  # fmt: skip
    zone: str = Field(min_length=1, max_length=64, description="An IANA zone, e.g. Asia/Shanghai.")
    weekly_hours: dict[Literal["0", "1", "2", "3", "4", "5", "6"], tuple[time, time] | None]

    @model_validator(mode="after")
    def _valid(self) -> Self:
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown zone {self.zone!r}") from None
        if set(self.weekly_hours) != {str(day) for day in range(7)}:
            raise ValueError("weekly_hours needs all seven days, 0 (Monday) to 6 (null: closed)")
        for hours in self.weekly_hours.values():
            if hours is not None and not hours[0] < hours[1]:
                raise ValueError("each day opens before it closes")
        if all(hours is None for hours in self.weekly_hours.values()):
            # Working time would never come: no working-time clock could fall due.
            raise ValueError("at least one day of the week has working hours")
        return self

    def hours(self) -> dict[int, tuple[time, time] | None]:
        return {int(day): hours for day, hours in self.weekly_hours.items()}


WallClock = Annotated[
    time,
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$", "examples": ["09:00:00"]}
    ),
]
"""A local wall-clock time, ``HH:MM[:SS]``, in the calendar's zone. Not ``format: time``:
that is RFC 3339's full-time, which carries an offset these times do not have."""
OpeningHours = Annotated[list[WallClock], Field(min_length=2, max_length=2)]
"""A day's ``[opens, closes]``: two items of one schema, not a ``prefixItems`` tuple, which
generated clients and schemathesis' response validation misread."""


class SettingsOut(BaseModel):
    owner: str = Field(description="The service that takes changes and publishes them to every service.")
    version: int = Field(description="The owner's version this service holds (0: the code's defaults).")
    zone: str
    weekly_hours: dict[str, OpeningHours | None] = Field(
        description='Monday is "0": `[opens, closes]`, or null for a closed day.'
    )

    @classmethod
    def of(cls, calendar: BusinessCalendar, *, version: int) -> SettingsOut:
        return cls(
            owner=CALENDAR_OWNER,
            version=version,
            zone=calendar.zone.key,
            weekly_hours={
                str(day): list(hours) if hours else None for day, hours in sorted(calendar.weekly_hours.items())
            },
        )


class DueOut(BaseModel):
    due_at: AwareDatetime
    provisional: bool
