"""The calendar's HTTP API: overrides (supervisors change them, staff read them) and a
working-time probe for operators. Mount it in a service with ``calendar_router(provider)``."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from aftersales_chassis import ClockDep, Day, Instant, NotFound, RuleViolation, SessionDep, problems, service_router
from aftersales_chassis.roles import BackOfficeReader, SupervisorOnly
from aftersales_events.catalogue.calendar import CALENDAR_OWNER

from .calendar import default_calendar
from .durations import WorkingDays
from .schemas import DueOut, OverrideIn, OverrideOut, SettingsIn, SettingsOut, WorkingTimeOut
from .shared import publish_change
from .store import CalendarProvider, load_override_rows, load_settings


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


def _owner_or_refuse(request: Request) -> bool:
    """True in the calendar's owner; refuses a change in another service. An app that names
    no service (a library's test app) keeps its own calendar and publishes nothing."""
    service: str | None = getattr(request.app.state, "service_name", None)
    if service is None:
        return False
    if service != CALENDAR_OWNER:
        raise RuleViolation(
            "calendar.owned-by-" + CALENDAR_OWNER,
            f"the shop's calendar is changed at the {CALENDAR_OWNER} service, which publishes each change "
            "to every service",
            owner=CALENDAR_OWNER,
        )
    return True


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

    @router.put(
        "/overrides/{day}",
        summary="Close, open or change the hours of one day (supervisor, at the calendar's owner)",
    )
    async def put_override(
        request: Request,
        day: Day,
        body: OverrideIn,
        session: SessionDep,
        clock: ClockDep,
        principal: SupervisorOnly,
        calendars: Calendars,
    ) -> OverrideOut:
        """Role: supervisor. Only at the calendar's owner (`tickets`), which publishes the change
        (`CalendarChanged`) to every service; elsewhere 422 `calendar.owned-by-tickets`."""
        owner = _owner_or_refuse(request)
        override = body.to_override(day)
        created_at = await calendars.put(session, override, principal.subject)
        if owner:
            await publish_change(session, calendars.base, principal.subject, clock.now())
        return OverrideOut.of(override, principal.subject, created_at)

    @router.delete(
        "/overrides/{day}",
        status_code=204,
        summary="Remove one day's override (supervisor)",
        responses=problems(404, descriptions={404: "Not found: the day has no override"}),
    )
    async def delete_override(
        request: Request,
        day: Day,
        session: SessionDep,
        clock: ClockDep,
        principal: SupervisorOnly,
        calendars: Calendars,
    ) -> Response:
        """Role: supervisor, at the calendar's owner (published to every service, as a change)."""
        owner = _owner_or_refuse(request)
        if not await calendars.delete(session, day):
            raise NotFound(f"no override for {day.isoformat()}", day=day.isoformat())
        if owner:
            await publish_change(session, calendars.base, principal.subject, clock.now())
        return Response(status_code=204)

    @router.get("/settings", summary="The calendar's zone, weekly hours and version (the owner's, as applied here)")
    async def get_settings(session: SessionDep, calendars: Calendars, _: BackOfficeReader) -> SettingsOut:
        calendar = await calendars.current(session)
        held = await load_settings(session)
        return SettingsOut.of(calendar, version=held.version if held else 0)

    @router.put("/settings", summary="Change the zone or the weekly hours (supervisor, at the calendar's owner)")
    async def put_settings(
        request: Request,
        body: SettingsIn,
        session: SessionDep,
        clock: ClockDep,
        principal: SupervisorOnly,
        calendars: Calendars,
    ) -> SettingsOut:
        """Role: supervisor. Only at the calendar's owner (`tickets`); every service applies it."""
        if not _owner_or_refuse(request):
            raise RuleViolation("calendar.owned-by-" + CALENDAR_OWNER, "this app has no calendar owner to publish to")
        changed = await publish_change(
            session, calendars.base, principal.subject, clock.now(), zone=body.zone, weekly_hours=body.hours()
        )
        calendars.invalidate()
        return SettingsOut.of(await calendars.current(session), version=changed.calendar_version)

    @router.get("/due", summary="When a span of working days from an instant falls due (a probe)")
    async def due(
        session: SessionDep,
        calendars: Calendars,
        _: BackOfficeReader,
        start: Annotated[Instant, Query(description="With a UTC offset.", examples=["2026-12-04T17:00:00+08:00"])],
        working_days: Annotated[int, Query(ge=0, le=250, examples=[1])] = 1,
    ) -> DueOut:
        calendar = await calendars.current(session)
        due_at = calendar.add(start.astimezone(UTC), WorkingDays(working_days))
        return DueOut(due_at=due_at, provisional=calendar.is_provisional(due_at.astimezone(calendar.zone).date()))

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
