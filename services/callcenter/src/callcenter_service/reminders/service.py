"""Use cases of the unpaid reminders (PROCESSES.md §2, §10). Methods only flush."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Principal, Role
from aftersales_sla import SlaClocks

from ..callbacks.kinds import TaskKind
from ..callbacks.service import CallbackService, DoNotCallRefused, TaskSpec
from ..orders.models import KnownOrder
from ..orders.repository import OrderRepository
from ..settings import CallcenterSettings
from . import schemas
from .messaging import Channel, Message, MessagingPort
from .models import ReminderState, UnpaidReminder
from .repository import ReminderRepository
from .state import REMINDER_FLOW

SYSTEM = Principal(subject="callcenter", roles=frozenset({Role.service}))
STEP_OF: dict[Channel, str] = {"chat": "B3", "sms": "B4"}
DEFAULT_SCRIPTS: dict[str, str] = {
    "chat": "Hello, your order {order_id} is waiting for payment. Can we help with anything?",
    "sms": "[Shop] Your order {order_id} is reserved for you and waiting for payment.",
}


class ReminderService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks, settings: CallcenterSettings) -> None:
        self.clock = clock
        self.calendar = sla.calendar
        self.settings = settings
        self.repository = ReminderRepository(session)
        self.orders = OrderRepository(session)
        self.callbacks = CallbackService(session, clock, sla, settings)
        self.flow = REMINDER_FLOW.bind(session, clock, sla)

    async def schedule(self, order: KnownOrder) -> None:
        """B1: an unpaid order gets one reminder within 1 h: a phone task for a large amount
        (B5), else SMS in a campaign period (B4), else chat (B3). Paid already: none."""
        if order.paid_at is not None or order.placed_at is None or order.total_minor is None:
            return
        placed = order.placed_at
        if order.total_minor >= self.settings.large_order_minor:
            if order.phone is None:
                return
            spec = TaskSpec(
                kind=TaskKind.unpaid_phone_reminder, source=f"order:{order.order_id}", phone=order.phone,
                requested_at=placed, customer_id=order.customer_id, customer_name=order.customer_name,
                order_id=order.order_id, note=f"B5: unpaid order of {order.total_minor} {order.currency}",
            )  # fmt: skip
            with contextlib.suppress(DoNotCallRefused):  # no call then; nor another channel instead
                await self.callbacks.open_task(spec)
            return
        channel: Channel = "sms" if self.settings.in_campaign(placed) else "chat"
        if any(r.step == STEP_OF[channel] for r in await self.repository.for_order(order.order_id)):
            return  # once per (order, step); the storage refuses a second one too
        now = self.clock.now()
        record = UnpaidReminder(
            id=uuid.uuid4(), order_id=order.order_id, step=STEP_OF[channel], channel=channel, phone=order.phone,
            customer_id=order.customer_id, send_after=placed + timedelta(minutes=self.settings.reminder_delay_minutes),
            due_at=placed + timedelta(hours=1), created_at=now, updated_at=now,
        )  # fmt: skip
        await self.flow.create(record, SYSTEM, reason=f"unpaid order, {channel} planned")
        await self.repository.add(record)

    async def paid(self, order_id: str, why: str = "paid") -> None:
        """Paid (or the order cancelled): what has not gone out yet is cancelled, the phone task withdrawn."""
        for record in await self.repository.for_order(order_id, for_update=True):
            if record.state == ReminderState.scheduled:
                await self.flow.apply(record, "cancel", SYSTEM, reason=why)
        await self.callbacks.withdraw_for_order(order_id, TaskKind.unpaid_phone_reminder, f"B5 withdrawn: {why}")

    async def send_due(self, messaging: MessagingPort) -> int:
        """Sends what is due, each checked against payment again now; SMS respects opt-outs and
        quiet hours (a chat reminder instead)."""
        now = self.clock.now()
        sent = 0
        for record in await self.repository.due(now):
            order = await self.orders.get(record.order_id)
            if order is None or order.paid_at is not None:
                await self.flow.apply(record, "cancel", SYSTEM, reason="paid before sending")
                continue
            channel: Channel = "sms" if record.channel == "sms" else "chat"
            quiet = self.settings.quiet(now.astimezone(self.calendar.zone).time())
            if channel == "sms" and (record.phone is None or quiet or await self.repository.opted_out(record.phone)):
                channel = "chat"
            script = await self.repository.script(channel)
            text = (script.text if script else DEFAULT_SCRIPTS[channel]).replace("{order_id}", record.order_id)
            to = (record.phone if channel == "sms" else record.customer_id or record.phone) or ""
            record.reference = await messaging.send(
                Message(channel=channel, to=to, text=text, key=f"{record.order_id}:{record.step}")
            )
            record.sent_at, record.sent_channel, record.message = now, channel, text
            await self.flow.apply(record, "send", SYSTEM, outcome=channel, reason=f"sent by {channel}")
            sent += 1
        return sent

    async def close(self, order_id: str, data: schemas.CloseIn, actor: Principal) -> schemas.ReminderOut:
        """An impulse order may be closed instead of reminded (seed 002)."""
        record = await self.repository.scheduled_for_order(order_id)
        await self.flow.apply(record, "close", actor, reason=data.reason)
        return schemas.ReminderOut.model_validate(record)

    async def for_order(self, order_id: str) -> list[schemas.ReminderOut]:
        return [schemas.ReminderOut.model_validate(r) for r in await self.repository.for_order(order_id)]

    async def put_script(self, channel: str, data: schemas.ScriptIn, actor: Principal) -> schemas.ScriptOut:
        await self.repository.put_script(channel, data.text, actor.subject, self.clock.now())
        script = await self.repository.script(channel)
        return schemas.ScriptOut.model_validate(script)

    async def scripts(self) -> list[schemas.ScriptOut]:
        return [schemas.ScriptOut.model_validate(s) for s in await self.repository.scripts()]

    async def opt_out(self, data: schemas.OptOutIn, actor: Principal) -> None:
        await self.repository.opt_out(data.phone, actor.subject, self.clock.now())
