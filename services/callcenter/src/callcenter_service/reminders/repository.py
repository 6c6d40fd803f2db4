"""Every query of the unpaid reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound

from .models import ReminderScript, ReminderState, SmsOptOut, UnpaidReminder


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: UnpaidReminder) -> None:
        self.session.add(record)
        await self.session.flush()

    async def for_order(self, order_id: str, *, for_update: bool = False) -> list[UnpaidReminder]:
        query = select(UnpaidReminder).where(UnpaidReminder.order_id == order_id).order_by(UnpaidReminder.created_at)
        return list(await self.session.scalars(query.with_for_update() if for_update else query))

    async def scheduled_for_order(self, order_id: str) -> UnpaidReminder:
        query = select(UnpaidReminder).where(
            UnpaidReminder.order_id == order_id, UnpaidReminder.state == ReminderState.scheduled
        )
        found = await self.session.scalar(query.with_for_update())
        if found is None:
            raise NotFound(f"order {order_id} has no scheduled reminder", resource="reminder", id=order_id)
        return found

    async def due(self, now: datetime, limit: int = 500) -> list[UnpaidReminder]:
        query = (
            select(UnpaidReminder)
            .where(UnpaidReminder.state == ReminderState.scheduled, UnpaidReminder.send_after <= now)
            .order_by(UnpaidReminder.send_after)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(await self.session.scalars(query))

    async def script(self, channel: str) -> ReminderScript | None:
        return await self.session.get(ReminderScript, channel)

    async def scripts(self) -> list[ReminderScript]:
        return list(await self.session.scalars(select(ReminderScript).order_by(ReminderScript.channel)))

    async def put_script(self, channel: str, text: str, by: str, at: datetime) -> None:
        statement = pg_insert(ReminderScript).values(channel=channel, text=text, updated_by=by, updated_at=at)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["channel"], set_={"text": text, "updated_by": by, "updated_at": at}
            )
        )

    async def opted_out(self, phone: str) -> bool:
        return (await self.session.get(SmsOptOut, phone)) is not None

    async def opt_out(self, phone: str, by: str, at: datetime) -> None:
        statement = pg_insert(SmsOptOut).values(phone=phone, recorded_by=by, recorded_at=at)
        await self.session.execute(statement.on_conflict_do_nothing(index_elements=["phone"]))
