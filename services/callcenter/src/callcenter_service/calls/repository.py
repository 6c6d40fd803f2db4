"""Every query of the call log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset

from .models import CallEventRecord, CallLossBreach, CallStatus, InboundCall


class CallRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_events(self, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
        """Inserts the events new to the log; answers the (call, kind) pairs that were new."""
        statement = (
            pg_insert(CallEventRecord)
            .values(list(rows))
            .on_conflict_do_nothing(constraint="uq_call_events_call_kind")
            .returning(CallEventRecord.call_id, CallEventRecord.kind)
        )
        return {(row[0], row[1]) for row in await self.session.execute(statement)}

    async def events_of(self, call_ids: Sequence[str]) -> list[CallEventRecord]:
        query = select(CallEventRecord).where(CallEventRecord.call_id.in_(call_ids)).order_by(CallEventRecord.id)
        return list(await self.session.scalars(query))

    async def upsert_calls(self, rows: Sequence[dict[str, Any]]) -> None:
        """The calls as their events add up; what sweeps and complaints wrote stays."""
        statement = pg_insert(InboundCall).values(list(rows))
        computed = ("phone", "status", "started_at", "business_day", "answered_at", "ended_at", "wait_seconds",
                    "missed", "updated_at")  # fmt: skip
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["call_id"], set_={name: statement.excluded[name] for name in computed}
            )
        )

    async def get(self, call_id: str, *, for_update: bool = False) -> InboundCall:
        query = select(InboundCall).where(InboundCall.call_id == call_id)
        found = await self.session.scalar(query.with_for_update() if for_update else query)
        if found is None:
            raise NotFound(f"call {call_id} is not in the log", resource="call", id=call_id)
        return found

    async def missed_page(self, page: PageParams) -> list[InboundCall]:
        c = InboundCall
        query = select(c).where(c.missed, c.swept_at.is_(None))
        return list(await self.session.scalars(keyset(query, page, c.started_at, c.call_id)))

    async def day_page(self, page: PageParams, day: date) -> list[InboundCall]:
        c = InboundCall
        query = select(c).where(c.business_day == day)
        return list(await self.session.scalars(keyset(query, page, c.started_at, c.call_id)))

    async def unswept_missed(self, until: datetime) -> list[InboundCall]:
        c = InboundCall
        query = select(c).where(c.missed, c.swept_at.is_(None), c.started_at <= until).order_by(c.started_at)
        return list(await self.session.scalars(query.with_for_update()))

    async def mark_swept(self, call_ids: Sequence[str], at: datetime, task_id: uuid.UUID | None) -> None:
        await self.session.execute(
            update(InboundCall)
            .where(InboundCall.call_id.in_(call_ids))
            .values(swept_at=at, callback_task_id=task_id)
            .execution_options(synchronize_session=False)
        )

    async def day_counts(self, day: date, short_abandon_seconds: int) -> dict[str, int]:
        c = InboundCall
        short = (c.status == CallStatus.abandoned) & (func.coalesce(c.wait_seconds, 0) < short_abandon_seconds)
        row = (
            await self.session.execute(
                select(
                    func.count().filter(c.status != CallStatus.offered, ~short).label("offered"),
                    func.count().filter(c.status == CallStatus.answered).label("answered"),
                    func.count().filter(short).label("short"),
                    func.count().filter(c.status == CallStatus.offered).label("pending"),
                ).where(c.business_day == day)
            )
        ).one()
        return dict(row._mapping)

    async def record_breach(self, day: date, rate: float, at: datetime) -> bool:
        """True the first time only: one breach per business day, held by the key."""
        statement = (
            pg_insert(CallLossBreach)
            .values(business_day=day, rate_percent=rate, recorded_at=at)
            .on_conflict_do_nothing(index_elements=["business_day"])
            .returning(CallLossBreach.business_day)
        )
        return (await self.session.scalar(statement)) is not None

    async def breached(self, day: date) -> bool:
        return (await self.session.get(CallLossBreach, day)) is not None
