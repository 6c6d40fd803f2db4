"""The shop's one business calendar (issue 17 item 8): its owner publishes every change as
the whole calendar, and every service applies it.

One owner (``CALENDAR_OWNER``) takes the changes (days, weekly hours, zone); each change
is a ``CalendarChanged`` carrying the complete calendar with a version that grows by one,
on the owner's ``<owner>.calendar`` topic (one partition key, so in order). A service
applies an event only if its version is newer than the one it holds: a duplicate or a late
older one changes nothing, and since each event is the whole calendar, a missed one is
made good by the next.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel

from .base import EventPayload, event

CALENDAR_OWNER = "tickets"
CALENDAR_KEY = "business-calendar"


class CalendarDay(BaseModel):
    day: date
    kind: Literal["closed", "open", "hours"]
    opens: time | None = None
    closes: time | None = None
    note: str = ""


@event(CALENDAR_OWNER, "CalendarChanged", stream="calendar")
class CalendarChanged(EventPayload):
    """The business calendar changed: here is all of it, at this version."""

    calendar_version: int
    zone: str
    # Monday is "0"; a day without hours is closed.
    weekly_hours: dict[str, tuple[time, time] | None]
    overrides: list[CalendarDay]
    changed_by: str
    changed_at: datetime
