"""Use cases of the orders read model: A8 follow-ups and B reminders (PROCESSES.md §1, §2, §10). Only flush."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock

from ..callbacks.kinds import TaskKind
from ..callbacks.schemas import normalise_phone
from ..callbacks.service import CallbackService, DoNotCallRefused, TaskSpec
from ..reminders.service import ReminderService
from .models import KnownOrder
from .repository import OrderRepository


def _phone(raw: str) -> str | None:
    try:
        return normalise_phone(raw)
    except ValueError:
        return None  # no usable number: nobody can be called about this order


class OrdersService:
    def __init__(self, session: AsyncSession, clock: Clock, reminders: ReminderService) -> None:
        self.clock = clock
        self.repository = OrderRepository(session)
        self.reminders = reminders
        self.callbacks: CallbackService = reminders.callbacks

    async def placed(
        self, order_id: str, *, customer_id: str, phone: str, name: str, total_minor: int, currency: str,
        placed_at: datetime,
    ) -> KnownOrder:  # fmt: skip
        order = await self.repository.get_or_new(order_id, self.clock.now())
        order.customer_id, order.phone, order.customer_name = customer_id, _phone(phone), name
        order.total_minor, order.currency, order.placed_at = total_minor, currency, placed_at
        order.updated_at = self.clock.now()
        await self._follow_up(order)  # signed for before we knew whom to call: open it now
        await self.reminders.schedule(order)  # B1: checked against payment now, and again at send time
        return order

    async def paid(self, order_id: str, paid_at: datetime) -> KnownOrder:
        order = await self.repository.get_or_new(order_id, self.clock.now())
        order.paid_at = order.paid_at or paid_at
        order.updated_at = self.clock.now()
        await self.reminders.paid(order_id)
        return order

    async def signed_for(self, order_id: str, signed_at: datetime) -> None:
        """A8: a follow-up call workable 3 days after the parcel is signed for."""
        order = await self.repository.get_or_new(order_id, self.clock.now())
        order.signed_at = order.signed_at or signed_at
        order.updated_at = self.clock.now()
        await self._follow_up(order)

    async def return_or_complaint_opened(self, order_id: str, what: str) -> int:
        """A return or complaint opened for the order: its A8 follow-up is withdrawn (or never opens)."""
        order = await self.repository.get_or_new(order_id, self.clock.now())
        order.follow_up_blocked_by = order.follow_up_blocked_by or what
        order.updated_at = self.clock.now()
        return await self.callbacks.withdraw_for_order(order_id, TaskKind.a8_follow_up, f"A8 withdrawn: {what}")

    async def _follow_up(self, order: KnownOrder) -> None:
        if order.signed_at is None or order.phone is None or order.follow_up_blocked_by is not None:
            return
        spec = TaskSpec(
            kind=TaskKind.a8_follow_up, source=f"order:{order.order_id}", phone=order.phone,
            requested_at=order.signed_at, customer_id=order.customer_id, customer_name=order.customer_name,
            order_id=order.order_id, note="A8: confirm receipt, problems, opinions",
        )  # fmt: skip
        try:
            await self.callbacks.open_task(spec)
        except DoNotCallRefused:
            return  # the customer asked not to be called: no follow-up on any path
