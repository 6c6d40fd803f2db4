"""Operator overrides in the service's own database, and the calendar they produce.

The table ships in the chassis's platform migration branch (``platform_0003``), so every
service database has it. :class:`CalendarProvider` keeps the calendar built from the base
calendar and the stored overrides, and rebuilds it when they change: a change made through
this provider applies to the next call; one made elsewhere (another replica) within
``max_age`` seconds. No restart either way.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    MetaData,
    PrimaryKeyConstraint,
    Row,
    SmallInteger,
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


# The calendar's settings and the version of the whole calendar this database holds (one
# row, written by the owner's changes or by applying its CalendarChanged; platform_0009).
calendar_settings = Table(
    "calendar_settings",
    calendar_metadata,
    Column("id", SmallInteger, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("zone", Text, nullable=False),
    Column("weekly_hours", JSON, nullable=False),  # {"0": ["09:00:00", "18:00:00"], ..., "6": null}
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("id"),
    CheckConstraint("id = 1", name="one_row"),
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


@dataclass(frozen=True)
class Settings:
    version: int
    zone: str
    weekly_hours: dict[int, tuple[time, time] | None]


def hours_from_json(raw: dict[str, Any]) -> dict[int, tuple[time, time] | None]:
    return {
        int(day): None if h is None else (time.fromisoformat(h[0]), time.fromisoformat(h[1])) for day, h in raw.items()
    }


def hours_to_json(hours: Mapping[int, tuple[time, time] | None]) -> dict[str, Any]:
    return {str(day): None if h is None else [h[0].isoformat(), h[1].isoformat()] for day, h in sorted(hours.items())}


async def load_settings(session: AsyncSession) -> Settings | None:
    """The settings this database holds (None: the code's defaults, version 0)."""
    row = (await session.execute(select(calendar_settings))).first()
    if row is None:
        return None
    return Settings(row.version, row.zone, hours_from_json(row.weekly_hours))


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
        self._settings: Settings | None = None
        self._calendar = base
        self._checked_at = 0.0

    def invalidate(self) -> None:
        self._overrides = None

    @property
    def latest(self) -> BusinessCalendar:
        """The calendar last built, without reading the database (for code that cannot wait
        on it, e.g. a pool's checkout hook); as fresh as the last :meth:`current` call."""
        return self._calendar

    async def current(self, session: AsyncSession) -> BusinessCalendar:
        now = self._monotonic()
        if self._overrides is not None and now - self._checked_at < self.max_age:
            return self._calendar
        overrides = tuple(await load_overrides(session))
        settings = await load_settings(session)
        if overrides != self._overrides or settings != self._settings:
            base = self.base if settings is None else self.base.with_settings(settings.zone, settings.weekly_hours)
            self._calendar = base.with_overrides(overrides)
            self._overrides, self._settings = overrides, settings
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
