"""Days are the business calendar's, in its zone, wherever a day is worked out: the booking
(the service's calendar), and the database's default for a row written without its day
(finance_0010: the session's ``aftersales.business_zone``, which the service sets on its
connections from the same calendar). With a zone other than Shanghai's, 23:30 local on a
month's last day is already the next month in Shanghai, and stays in its own month here."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar
from aftersales_calendar.shared import apply_change
from aftersales_calendar.store import CalendarProvider, calendar_overrides, calendar_settings
from aftersales_chassis import ManualClock
from aftersales_chassis.db import Database
from aftersales_events.catalogue.calendar import CalendarChanged
from finance_service.business_calendar import BusinessZoneExtension
from finance_service.ledger import Entry, LedgerService, Leg
from finance_service.ledger.repository import ZONE_SETTING

ZONE = "America/New_York"
# 23:30 in New York on the last day of January: 04:30 UTC, 12:30 in Shanghai, on 1 February.
LATE = datetime(2041, 1, 31, 23, 30, tzinfo=ZoneInfo(ZONE))
LAST_DAY, NEXT_DAY = date(2041, 1, 31), date(2041, 2, 1)


async def _raw_day(session: AsyncSession) -> date:
    """The accounting day the database gives a transaction written without one (not kept:
    the caller rolls back, before the balance check at commit)."""
    day = await session.scalar(
        text(
            "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at, details)"
            " VALUES (gen_random_uuid(), :source, 'raw', 'CNY', :at, now(), '{}') RETURNING accounting_date"
        ),
        {"source": f"raw:{uuid.uuid4().hex}", "at": LATE},
    )
    assert isinstance(day, date)
    return day


async def test_a_booking_counts_on_its_day_in_the_calendars_zone(database: Database) -> None:
    entry = Entry(f"zone-{uuid.uuid4().hex[:8]}", "late", "CNY", LATE, [Leg("cash", 100), Leg("sales", -100)])
    async with database.sessionmaker() as session:
        for zone, day in ((ZoneInfo(ZONE), LAST_DAY), (ZoneInfo("Asia/Shanghai"), NEXT_DAY)):
            (booked,) = await LedgerService(session, ManualClock(LATE), zone).book_many([entry])
            assert booked.accounting_date == day, zone
            await session.rollback()


async def test_the_database_default_day_reads_the_sessions_business_zone(database: Database) -> None:
    async with database.sessionmaker() as session:
        await session.execute(text("SELECT set_config(:name, :zone, true)"), {"name": ZONE_SETTING, "zone": ZONE})
        assert await _raw_day(session) == LAST_DAY
        await session.rollback()
        # A session that sets no zone (psql, a script) gets the default calendar's, as before.
        assert await _raw_day(session) == NEXT_DAY
        await session.rollback()


async def test_the_service_gives_its_connections_the_zone_of_the_calendar_it_runs_on(finance_db: str) -> None:
    # One connection, handed out again and again: the setting outlives the rolled-back units of work.
    db = Database.connect(finance_db, pool_size=1)
    app = SimpleNamespace(state=SimpleNamespace(db=db, calendar_provider=CalendarProvider(BusinessCalendar(zone=ZONE))))
    extension = BusinessZoneExtension()
    try:
        await extension.start(app)  # type: ignore[arg-type]
        for _ in range(2):
            async with db.sessionmaker() as session:
                assert await session.scalar(text("SELECT current_setting(:name)"), {"name": ZONE_SETTING}) == ZONE
                assert await _raw_day(session) == LAST_DAY
                await session.rollback()
        await extension.stop(app)  # type: ignore[arg-type]
    finally:
        await db.dispose()


async def test_a_zone_changed_in_the_shops_calendar_reaches_the_connections_handed_out_after(finance_db: str) -> None:
    """Issue 17 item 8: the zone is the shop's calendar's, which its owner may change at run
    time; finance applies the change and the database's default day follows it."""
    db = Database.connect(finance_db, pool_size=1)
    provider = CalendarProvider(BusinessCalendar(zone="Asia/Shanghai"), max_age=0)
    app = SimpleNamespace(state=SimpleNamespace(db=db, calendar_provider=provider))
    extension = BusinessZoneExtension()
    weekly = {str(day): (LATE.time(), LATE.time().replace(minute=59)) for day in range(5)} | {"5": None, "6": None}
    try:
        await extension.start(app)  # type: ignore[arg-type]
        async with db.sessionmaker() as session:
            assert await _raw_day(session) == NEXT_DAY
            await session.rollback()
        async with db.sessionmaker() as session, session.begin():
            changed = CalendarChanged(
                calendar_version=1, zone=ZONE, weekly_hours=weekly, overrides=[], changed_by="sup", changed_at=LATE
            )
            assert await apply_change(session, changed)
        async with db.sessionmaker() as session:
            assert (await provider.current(session)).zone.key == ZONE  # what a request or handler reads
            await session.rollback()
        async with db.sessionmaker() as session:
            assert await session.scalar(text("SELECT current_setting(:name)"), {"name": ZONE_SETTING}) == ZONE
            assert await _raw_day(session) == LAST_DAY
            await session.rollback()
        await extension.stop(app)  # type: ignore[arg-type]
    finally:
        async with db.sessionmaker() as session, session.begin():
            await session.execute(calendar_settings.delete())
            await session.execute(calendar_overrides.delete())
        await db.dispose()
