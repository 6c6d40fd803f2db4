"""The figures' service on the calendar the app runs on (days in its zone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from aftersales_calendar.api import Calendars
from aftersales_chassis import ClockDep, SessionDep

from .service import FiguresService


async def get_figures(session: SessionDep, clock: ClockDep, calendars: Calendars) -> FiguresService:
    calendar = await calendars.current(session)
    return FiguresService(session, clock, calendar.zone)


Figures = Annotated[FiguresService, Depends(get_figures)]
