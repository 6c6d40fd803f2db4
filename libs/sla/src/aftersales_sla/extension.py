"""Plugs SLA clocks into a service: routes, the request dependency, the scheduler."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request

from aftersales_calendar import BusinessCalendar, default_calendar
from aftersales_calendar.api import calendar_router
from aftersales_calendar.shared import apply_calendar_changed
from aftersales_calendar.store import CalendarProvider
from aftersales_chassis import ClockDep, SessionDep
from aftersales_events import EventPayload, Handler
from aftersales_events.catalogue.calendar import CalendarChanged

from .api import sla_router
from .clocks import SlaClocks
from .jobs import FixedTimeJob
from .overrides import PolicyProvider
from .policy import PolicyBook
from .scheduler import SlaScheduler


class SlaExtension:
    def __init__(
        self, policies: PolicyBook, *, jobs: Sequence[FixedTimeJob] = (), calendar: BusinessCalendar | None = None
    ) -> None:
        self.policies = policies
        self.jobs = tuple(jobs)
        self._calendar = calendar
        self._routers = [sla_router(policies), calendar_router()]

    def routers(self) -> Sequence[APIRouter]:
        return self._routers

    def handlers(self) -> Mapping[type[EventPayload], Handler]:
        """Every service holds the shop's one calendar: it applies the owner's changes."""
        return {CalendarChanged: apply_calendar_changed}

    async def start(self, app: FastAPI) -> None:
        settings = app.state.settings
        # The calendar's routes take changes only in its owner (aftersales_calendar.shared).
        app.state.service_name = self.policies.service
        provider = CalendarProvider(self._calendar or default_calendar())
        app.state.sla_policies = self.policies
        app.state.sla_policy_provider = PolicyProvider(self.policies)
        app.state.calendar_provider = provider
        scheduler = SlaScheduler(
            service=self.policies.service,
            sessionmaker=app.state.db.sessionmaker,
            calendar=provider.current,
            clock=app.state.clock,
            jobs=self.jobs,
            interval=settings.sla_tick_seconds,
            on_fired=app.state.relay.wake,
            gauge_interval=settings.sla_gauge_seconds,
        )
        app.state.sla_scheduler = scheduler
        if settings.sla_scheduler_enabled:
            scheduler.start()

    async def stop(self, app: FastAPI) -> None:
        await app.state.sla_scheduler.stop()


async def get_sla_clocks(request: Request, session: SessionDep, clock: ClockDep) -> SlaClocks:
    calendar = await request.app.state.calendar_provider.current(session)
    # The policies in force: the code's, with the operators' changes (overrides.py).
    policies = await request.app.state.sla_policy_provider.current(session)
    return SlaClocks(session, calendar, policies, clock.now())


SlaDep = Annotated[SlaClocks, Depends(get_sla_clocks)]
