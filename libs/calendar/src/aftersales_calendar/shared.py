"""One calendar for the shop (issue 17 item 8): the owner service takes the changes and
publishes each as the whole calendar (``CalendarChanged``); every service applies it.

The owner's change and its event commit together (the outbox). The version grows by one
per change (an atomic increment of the one settings row, so two replicas of the owner
cannot hand out one version twice). A service applies an event only when it is newer than
what it holds, replacing its settings and every override: a duplicate or an older event
changes nothing, and each event is complete, so none depends on the one before.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_events import EventContext, record_event
from aftersales_events.catalogue.calendar import CALENDAR_KEY, CALENDAR_OWNER, CalendarChanged, CalendarDay

from .calendar import BusinessCalendar
from .store import calendar_overrides, calendar_settings, hours_from_json, hours_to_json, load_overrides

__all__ = ["CALENDAR_OWNER", "apply_calendar_changed", "publish_change"]


async def publish_change(
    session: AsyncSession,
    base: BusinessCalendar,
    actor: str,
    now: datetime,
    *,
    zone: str | None = None,
    weekly_hours: Mapping[int, tuple[time, time] | None] | None = None,
) -> CalendarChanged:
    """The owner, after writing an override (or with new settings): the next version of the
    whole calendar, stored and published in the caller's unit of work."""
    start = {"zone": base.zone.key, "weekly_hours": hours_to_json(base.weekly_hours)}
    given = {
        **({"zone": zone} if zone is not None else {}),
        **({"weekly_hours": hours_to_json(weekly_hours)} if weekly_hours is not None else {}),
    }
    first = pg_insert(calendar_settings).values(id=1, version=1, changed_by=actor, changed_at=now, **{**start, **given})
    statement = first.on_conflict_do_update(
        index_elements=[calendar_settings.c.id],
        set_={"version": calendar_settings.c.version + 1, "changed_by": actor, "changed_at": now, **given},
    ).returning(calendar_settings.c.version, calendar_settings.c.zone, calendar_settings.c.weekly_hours)
    row = (await session.execute(statement)).one()
    overrides = await load_overrides(session)
    changed = CalendarChanged(
        calendar_version=row.version,
        zone=row.zone,
        weekly_hours={str(day): hours for day, hours in hours_from_json(row.weekly_hours).items()},
        overrides=[CalendarDay(day=o.day, kind=o.kind, opens=o.opens, closes=o.closes, note=o.note) for o in overrides],
        changed_by=actor,
        changed_at=now,
    )
    await record_event(session, changed, subject=CALENDAR_KEY, at=now)
    return changed


async def apply_change(session: AsyncSession, changed: CalendarChanged) -> bool:
    """Holds ``changed`` if it is newer than the calendar this database holds."""
    held = await session.scalar(select(calendar_settings.c.version).with_for_update())
    if held is not None and held >= changed.calendar_version:
        return False
    values = {
        "version": changed.calendar_version,
        "zone": changed.zone,
        "weekly_hours": hours_to_json({int(day): hours for day, hours in changed.weekly_hours.items()}),
        "changed_by": changed.changed_by,
        "changed_at": changed.changed_at,
    }
    statement = pg_insert(calendar_settings).values(id=1, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=[calendar_settings.c.id], set_=values))
    await session.execute(delete(calendar_overrides))
    if changed.overrides:
        await session.execute(
            insert(calendar_overrides),
            [
                {
                    "day": d.day,
                    "kind": d.kind,
                    "opens": d.opens,
                    "closes": d.closes,
                    "note": d.note,
                    "created_by": changed.changed_by,
                    "created_at": changed.changed_at,
                }
                for d in changed.overrides
            ],
        )
    return True


async def apply_calendar_changed(ctx: EventContext, event: CalendarChanged) -> None:
    """Every service's handler: hold the shop's calendar at the owner's newest version."""
    if await apply_change(ctx.session, event):
        provider = getattr(ctx.resources, "calendar_provider", None)
        if provider is not None:
            provider.invalidate()
