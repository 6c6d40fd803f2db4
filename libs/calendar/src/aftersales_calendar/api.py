"""The calendar's HTTP API: overrides (supervisors change them, staff read them) and a
working-time probe for operators. Mount it in a service with ``calendar_router(provider)``."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from aftersales_chassis import ClockDep, Day, Instant, NotFound, SessionDep, problems, service_router
from aftersales_chassis.roles import BackOfficeReader, SupervisorOnly

from .calendar import default_calendar
from .schemas import OverrideIn, OverrideOut, WorkingTimeOut
from .store import CalendarProvider, load_override_rows


async def get_calendar_provider(request: Request) -> CalendarProvider:
    """The router's own provider if it was given one, else the app's (``app.state.calendar_provider``,
    the one the service's SLA clocks read, so a change applies to them at once), created on
    the default calendar if the app has none."""
    found: CalendarProvider | None = getattr(request.state, "calendar_provider", None)
    if found is None:
        found = getattr(request.app.state, "calendar_provider", None)
    if found is None:
        found = request.app.state.calendar_provider = CalendarProvider(default_calendar())
    return found


Calendars = Annotated[CalendarProvider, Depends(get_calendar_provider)]


def calendar_router(provider: CalendarProvider | None = None) -> APIRouter:
    """Routes under ``/calendar``, on ``provider`` or else the app's provider (see above)."""
    dependencies = []
    if provider is not None:

        def use_provider(request: Request) -> None:
            request.state.calendar_provider = provider

        dependencies.append(Depends(use_provider))
    router = service_router(prefix="/calendar", tags=["calendar"], dependencies=dependencies)

    @router.get("/overrides", summary="Days the operators changed")
    async def list_overrides(session: SessionDep, _: BackOfficeReader) -> list[OverrideOut]:
        return [OverrideOut.of(*row) for row in await load_override_rows(session)]

    @router.put("/overrides/{day}", summary="Close, open or change the hours of one day (supervisor)")
    async def put_override(
        day: Day, body: OverrideIn, session: SessionDep, principal: SupervisorOnly, calendars: Calendars
    ) -> OverrideOut:
        override = body.to_override(day)
        created_at = await calendars.put(session, override, principal.subject)
        return OverrideOut.of(override, principal.subject, created_at)

    @router.delete(
        "/overrides/{day}",
        status_code=204,
        summary="Remove one day's override (supervisor)",
        responses=problems(404, descriptions={404: "Not found: the day has no override"}),
    )
    async def delete_override(day: Day, session: SessionDep, _: SupervisorOnly, calendars: Calendars) -> Response:
        if not await calendars.delete(session, day):
            raise NotFound(f"no override for {day.isoformat()}", day=day.isoformat())
        return Response(status_code=204)

    @router.get("/working-time", summary="Is it working time, and when does work next start")
    async def working_time(
        session: SessionDep,
        clock: ClockDep,
        calendars: Calendars,
        _: BackOfficeReader,
        at: Annotated[
            Instant | None,
            Query(description="An instant with a UTC offset (default: now).", examples=["2025-10-11T10:00:00+08:00"]),
        ] = None,
    ) -> WorkingTimeOut:
        calendar = await calendars.current(session)
        instant = (at or clock.now()).astimezone(UTC)
        local_day = instant.astimezone(calendar.zone).date()
        hours = calendar.hours_on(local_day)
        return WorkingTimeOut(
            at=instant,
            zone=calendar.zone.key,
            working_time=calendar.is_working_time(instant),
            working_day=hours is not None,
            next_opening=calendar.next_opening(instant),
            provisional=calendar.is_provisional(local_day),
            opens=hours[0] if hours else None,
            closes=hours[1] if hours else None,
        )

    return router
