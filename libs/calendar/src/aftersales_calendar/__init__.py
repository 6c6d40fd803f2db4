"""The business calendar: working hours, Chinese statutory holidays and make-up working days
(调休), operator overrides, and due times computed on them (PROCESSES.md §10 "Time")."""

from .calendar import BusinessCalendar, NaiveDatetimeError, Override, OverrideKind, default_calendar
from .durations import Duration, WallClock, WorkingDays, WorkingHours
from .holiday_source import ChinaHolidays, HolidaySource, NoHolidays

__all__ = [
    "BusinessCalendar",
    "ChinaHolidays",
    "Duration",
    "HolidaySource",
    "NaiveDatetimeError",
    "NoHolidays",
    "Override",
    "OverrideKind",
    "WallClock",
    "WorkingDays",
    "WorkingHours",
    "default_calendar",
]
