"""The business calendar the service runs on: the SLA extension's provider
(``app.state.calendar_provider``), for requests, event handlers and the database's sessions
alike. Its zone is the one that buckets days and months (PROCESSES.md §10); finance keeps no
zone of its own."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from aftersales_calendar import BusinessCalendar, default_calendar
from aftersales_calendar.api import Calendars
from aftersales_calendar.store import CalendarProvider
from aftersales_chassis import SessionDep

from .ledger.repository import ZONE_SETTING, put_business_zone


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


class BusinessZoneExtension:
    """Gives each of the service's database sessions the calendar's zone as
    ``aftersales.business_zone``, which the database reads for a transaction written
    without its accounting day (finance_0010). Set when the pool hands a connection out and
    its zone differs from the calendar's, as a session setting (outside any transaction, so
    no rollback undoes it): no statement is added to any unit of work. The zone is the shop's
    calendar's (its owner publishes a change, every service applies it: issue 17 item 8), as
    the provider last built it, so a changed zone reaches connections handed out after."""

    def routers(self) -> Sequence[APIRouter]:
        return ()

    async def start(self, app: FastAPI) -> None:
        """After the SLA extension, whose calendar provider it reads."""
        provider = calendars_of(app.state)
        async with app.state.db.sessionmaker() as session:
            await provider.current(session)
        app.state.business_zone_listener = listener = _zone_setter(lambda: provider.latest.zone.key)
        event.listen(app.state.db.engine.sync_engine, "checkout", listener)

    async def stop(self, app: FastAPI) -> None:
        event.remove(app.state.db.engine.sync_engine, "checkout", app.state.business_zone_listener)


def _zone_setter(zone_of: Callable[[], str]) -> Callable[[Any, ConnectionPoolEntry, PoolProxiedConnection], None]:
    def on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _: PoolProxiedConnection) -> None:
        zone = zone_of()

        async def put(connection: Any) -> None:
            await put_business_zone(connection, zone)

        # The record's info lives as long as its DBAPI connection: a new connection sets it again.
        if record.info.get(ZONE_SETTING) != zone:
            dbapi_connection.run_async(put)
            record.info[ZONE_SETTING] = zone

    return on_checkout
