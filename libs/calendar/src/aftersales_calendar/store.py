"""Operator overrides in the service's own database, and the calendar they produce.

The table ships in the chassis's platform migration branch (``platform_0003``), so every
service database has it. :class:`CalendarProvider` keeps the calendar built from the base
calendar and the stored overrides, and rebuilds it when they change: a change made through
this provider applies to the next call; one made elsewhere (another replica) within
``max_age`` seconds. No restart either way.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    MetaData,
    PrimaryKeyConstraint,
    Row,
    Table,
    Text,
    Time,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_events.tables import NAMING_CONVENTION

from .calendar import BusinessCalendar, Override

calendar_metadata = MetaData(naming_convention=NAMING_CONVENTION)

calendar_overrides = Table(
    "calendar_overrides",
    calendar_metadata,
    Column("day", Date, nullable=False),
    Column("kind", Text, nullable=False),
    Column("opens", Time),
    Column("closes", Time),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("day"),
)


def _override(row: Row[Any]) -> Override:
    return Override(day=row.day, kind=row.kind, opens=row.opens, closes=row.closes, note=row.note)


async def load_overrides(session: AsyncSession) -> list[Override]:
    rows = (await session.execute(select(calendar_overrides).order_by(calendar_overrides.c.day))).all()
    return [_override(row) for row in rows]


async def load_override_rows(session: AsyncSession) -> list[tuple[Override, str, datetime]]:
    """Overrides with who set them and when, for the API."""
    rows = (await session.execute(select(calendar_overrides).order_by(calendar_overrides.c.day))).all()
    return [(_override(row), row.created_by, row.created_at) for row in rows]


async def put_override(session: AsyncSession, override: Override, actor: str) -> datetime:
    """Creates or replaces the override for ``override.day``; returns when it was stored."""
    values = {
        "day": override.day,
        "kind": override.kind,
        "opens": override.opens,
        "closes": override.closes,
        "note": override.note,
        "created_by": actor,
    }
    statement = insert(calendar_overrides).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[calendar_overrides.c.day],
        set_={**{k: statement.excluded[k] for k in values if k != "day"}, "created_at": func.now()},
    )
    created_at: datetime | None = await session.scalar(statement.returning(calendar_overrides.c.created_at))
    assert created_at is not None
    return created_at


async def delete_override(session: AsyncSession, day: date) -> bool:
    """Removes the override for ``day``; False if there was none."""
    result = await session.execute(
        delete(calendar_overrides).where(calendar_overrides.c.day == day).returning(calendar_overrides.c.day)
    )
    return result.first() is not None


class CalendarProvider:
    """The current calendar: ``await provider.current(session)``.

    At most every ``max_age`` seconds (and at once after :meth:`put` / :meth:`delete`) it
    re-reads the overrides (a small table) and rebuilds the calendar only if they changed,
    so the per-day caches survive while nothing changes.
    """

    def __init__(
        self,
        base: BusinessCalendar,
        *,
        max_age: float = 2.0,
        monotonic: Callable[[], float] = _time.monotonic,
    ) -> None:
        self.base = base
        self.max_age = max_age
        self._monotonic = monotonic
        self._overrides: tuple[Override, ...] | None = None
        self._calendar = base
        self._checked_at = 0.0

    def invalidate(self) -> None:
        self._overrides = None

    async def current(self, session: AsyncSession) -> BusinessCalendar:
        now = self._monotonic()
        if self._overrides is not None and now - self._checked_at < self.max_age:
            return self._calendar
        overrides = tuple(await load_overrides(session))
        if overrides != self._overrides:
            self._calendar = self.base.with_overrides(overrides)
            self._overrides = overrides
        self._checked_at = now
        return self._calendar

    async def put(self, session: AsyncSession, override: Override, actor: str) -> datetime:
        created_at = await put_override(session, override, actor)
        self.invalidate()
        return created_at

    async def delete(self, session: AsyncSession, day: date) -> bool:
        deleted = await delete_override(session, day)
        self.invalidate()
        return deleted
