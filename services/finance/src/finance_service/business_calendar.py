"""The business calendar the service runs on: the SLA extension's provider
(``app.state.calendar_provider``), for requests and for event handlers alike. Its zone is
the one that buckets days and months (PROCESSES.md §10); finance keeps no zone of its own."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import Depends

from aftersales_calendar import BusinessCalendar, default_calendar
from aftersales_calendar.api import Calendars
from aftersales_calendar.store import CalendarProvider
from aftersales_chassis import SessionDep


async def get_calendar(provider: Calendars, session: SessionDep) -> BusinessCalendar:
    return await provider.current(session)


CalendarDep = Annotated[BusinessCalendar, Depends(get_calendar)]


@functools.cache
def _default_provider() -> CalendarProvider:
    """For a runner built without the app's resources (benchmarks, tests driving a bare
    runner): the calendar the SLA extension gives an app that names none."""
    return CalendarProvider(default_calendar())


def calendars_of(resources: Any) -> CalendarProvider:
    """The calendar provider of an event context's resources (the app state), found as
    :func:`aftersales_calendar.api.get_calendar_provider` finds it for a request."""
    found: CalendarProvider | None = getattr(resources, "calendar_provider", None)
    return found or _default_provider()
