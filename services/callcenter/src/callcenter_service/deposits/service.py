"""Use cases of deposit cancellations (§7.3). Methods only flush."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import Clock, Conflict, Forbidden, NotFound, Principal, Role, RuleViolation
from aftersales_events.catalogue import callcenter as ev
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from . import schemas
from .models import DepositCancellation
from .repository import DepositRepository
from .state import DEPOSIT_FLOW

AHEAD = 3  # working days (§7.3)


def earliest_cancel_on(calendar: BusinessCalendar, booked_on: date) -> date:
    """The third working day after the booking day: the earliest a cancellation may be for."""
    day, found = booked_on, 0
    while found < AHEAD:
        day += timedelta(days=1)
        found += calendar.is_working_day(day)
    return day


def to_out(record: DepositCancellation) -> schemas.DepositCancellationOut:
    out = schemas.DepositCancellationOut.model_validate(record)
    out.allowed_actions = DEPOSIT_FLOW.allowed_actions(record.state)
    return out


class DepositService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks) -> None:
        self.clock = clock
        self.calendar = sla.calendar
        self.repository = DepositRepository(session)
        self.flow = DEPOSIT_FLOW.bind(session, clock, sla)

    async def book(self, data: schemas.DepositCancellationIn, actor: Principal) -> schemas.DepositCancellationOut:
        now = self.clock.now()
        today = now.astimezone(self.calendar.zone).date()
        earliest = earliest_cancel_on(self.calendar, today)
        if data.cancel_on < earliest:
            raise RuleViolation(
                "§7.3.three-working-days-ahead",
                f"a cancellation is booked at least {AHEAD} working days ahead: the earliest is {earliest}",
                field="body.cancel_on",
                earliest_allowed=earliest.isoformat(),
            )
        if (existing := await self.repository.by_deposit(data.deposit_id)) is not None:
            raise Conflict(f"deposit {data.deposit_id} already has cancellation {existing.id}", id=str(existing.id))
        record = DepositCancellation(
            id=uuid.uuid4(), deposit_id=data.deposit_id, order_id=data.order_id, merchant_id=data.merchant_id,
            amount_minor=data.amount_minor, currency=data.currency, cancel_on=data.cancel_on, booked_on=today,
            # The merchant is asked on the booking day: by its close (the next working day's, off hours).
            merchant_due_at=self.calendar.close_of_first_working_day_after(now),
            note=data.note, booked_by=actor.subject, created_at=now, updated_at=now,
        )  # fmt: skip
        await self.flow.create(record, actor, reason=f"cancel on {data.cancel_on}")
        await self.repository.add(record)
        return to_out(record)

    async def record(
        self, cancellation_id: uuid.UUID, data: schemas.OutcomeIn, actor: Principal
    ) -> schemas.DepositCancellationOut:
        """The merchant's answer: cancelled, or refused with a reason; DepositCancelled either way."""
        record = await self.repository.get(cancellation_id, for_update=True)
        self.flow.require(record, "record")
        staff = actor.has(Role.agent) or actor.has(Role.supervisor)
        if not staff and actor.merchant_id != record.merchant_id:
            raise Forbidden("a merchant answers for its own deposits only", rule="§7.3.own-merchant")
        reason = data.reason.strip()
        if data.outcome == "refused" and not reason:
            raise RuleViolation("§7.3.refusal-reason", "a refusal needs the merchant's reason", field="body.reason")
        now = self.clock.now()
        record.outcome_reason, record.recorded_by, record.recorded_at = reason or None, actor.subject, now
        event = ev.DepositCancelled(
            cancellation_id=record.id, deposit_id=record.deposit_id, order_id=record.order_id,
            merchant_id=record.merchant_id, outcome=data.outcome, reason=reason, amount_minor=record.amount_minor,
            currency=record.currency, recorded_by=actor.subject, recorded_at=now,
        )  # fmt: skip
        await self.flow.apply(record, "record", actor, outcome=data.outcome, reason=reason or None, event=event)
        return to_out(record)

    async def awaiting(self, actor: Principal) -> list[schemas.DepositCancellationOut]:
        """The merchant's task list: what it is asked about (a merchant sees its own)."""
        staff = actor.has(Role.agent) or actor.has(Role.supervisor)
        merchant = None if staff else (actor.merchant_id or "")
        return [to_out(r) for r in await self.repository.awaiting(merchant)]

    async def ledger(self, day: date) -> list[dict[str, Any]]:
        """The daily cancellation ledger: every cancellation booked that day and where it stands."""
        rows = await self.repository.booked_on(day)
        return [{column: getattr(r, column) for column in schemas.LEDGER_COLUMNS} for r in rows]

    async def get(self, cancellation_id: uuid.UUID, actor: Principal) -> schemas.DepositCancellationOut:
        record = await self.repository.get(cancellation_id)
        if not (actor.has(Role.agent) or actor.has(Role.supervisor)) and actor.merchant_id != record.merchant_id:
            # Another merchant's cancellation: as if it did not exist.
            raise NotFound(f"deposit cancellation {cancellation_id} does not exist", resource="deposit cancellation")
        return to_out(record)

    async def history(self, cancellation_id: uuid.UUID) -> list[TransitionOut]:
        await self.repository.get(cancellation_id)
        return await self.flow.history(cancellation_id)
