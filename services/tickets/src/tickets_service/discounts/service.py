"""Use cases of A5 discounts (PROCESSES.md §1 A5, §10 money and authority):

- an agent's grants on one order add up; while the total, this grant included, stays within the
  agents' limit (20 yuan, a setting) the requester grants it alone; above it the discount waits
  for a supervisor; at the limit exactly it passes, one fen above it waits;
- the check and the addition happen on the order's total row held ``FOR UPDATE`` in the
  transaction that records the grant: two concurrent grants cannot both pass the cap;
- a supervisor's approver is never the requester (a supervisor requesting above the limit waits
  for another supervisor); the limit in force and the total before are stored with the decision;
- every granted discount records ``DiscountApproved`` in the outbox, in the same transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Forbidden, Page, PageParams, Principal, page_of
from aftersales_events.catalogue.tickets import DiscountApproved
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..settings import TicketsSettings
from . import schemas
from .models import PresaleDiscount
from .repository import DiscountRepository
from .state import DISCOUNT_FLOW

CURRENCY = "CNY"  # the authority is 20 yuan


def authority(limit_minor: int) -> schemas.AuthorityOut:
    return schemas.AuthorityOut(
        agent_limit_minor=limit_minor,
        currency=CURRENCY,
        rule=f"A5: an agent grants discounts on an order alone while all its granted discounts together stay "
        f"within {limit_minor} fen; a grant that would take the order above it waits for a supervisor who is "
        "not the requester",
    )


def to_out(record: PresaleDiscount) -> schemas.DiscountOut:
    out = schemas.DiscountOut.model_validate(record)
    out.allowed_actions = DISCOUNT_FLOW.allowed_actions(record.state)
    return out


class DiscountService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks, settings: TicketsSettings) -> None:
        self.clock = clock
        self.settings = settings
        self.repository = DiscountRepository(session)
        self.flow = DISCOUNT_FLOW.bind(session, clock, sla)

    async def request(self, data: schemas.DiscountIn, actor: Principal) -> schemas.DiscountOut:
        """A5: granted at once within the agents' authority (DiscountApproved), else pending."""
        now = self.clock.now()
        limit = self.settings.discount_agent_limit_minor
        total = await self.repository.locked_total(data.order_id, now)
        order = await self.repository.order(data.order_id)
        record = PresaleDiscount(
            id=uuid.uuid4(),
            order_id=data.order_id,
            inquiry_id=data.inquiry_id,
            customer_id=order.customer_id if order else None,
            merchant_id=order.merchant_id if order else None,
            amount_minor=data.amount_minor,
            currency=CURRENCY,
            reason=data.reason,
            requested_by=actor.subject,
            requested_at=now,
            agent_limit_minor=limit,
            updated_at=now,
        )
        if total.granted_minor + data.amount_minor <= limit:
            record.granted_before_minor = total.granted_minor
            record.decided_by, record.decided_at = actor.subject, now
            total.granted_minor += data.amount_minor
            total.updated_at = now
            event = self._approved(record, "agent", total.granted_minor)
            await self.flow.create(record, actor, outcome="within-authority", reason=data.reason, event=event)
        else:
            reason = f"{data.reason} (the order would reach {total.granted_minor + data.amount_minor} > {limit})"
            await self.flow.create(record, actor, outcome="needs-supervisor", reason=reason)
        await self.repository.add(record)
        return to_out(record)

    async def approve(self, discount_id: uuid.UUID, data: schemas.DecisionIn, actor: Principal) -> schemas.DiscountOut:
        """A5 above the agents' authority: a supervisor other than the requester approves."""
        record = await self.repository.get(discount_id, for_update=True)
        self.flow.require(record, "approve")
        self._four_eyes(record, actor)
        now = self.clock.now()
        total = await self.repository.locked_total(record.order_id, now)
        record.granted_before_minor = total.granted_minor
        record.agent_limit_minor = self.settings.discount_agent_limit_minor
        record.decided_by, record.decided_at, record.decision_note = actor.subject, now, data.note
        total.granted_minor += record.amount_minor
        total.updated_at = now
        event = self._approved(record, "supervisor", total.granted_minor)
        await self.flow.apply(record, "approve", actor, reason=data.note or None, event=event)
        return to_out(record)

    async def reject(self, discount_id: uuid.UUID, data: schemas.DecisionIn, actor: Principal) -> schemas.DiscountOut:
        record = await self.repository.get(discount_id, for_update=True)
        self.flow.require(record, "reject")
        self._four_eyes(record, actor)
        record.decided_by, record.decided_at, record.decision_note = actor.subject, self.clock.now(), data.note
        await self.flow.apply(record, "reject", actor, reason=data.note or None)
        return to_out(record)

    @staticmethod
    def _four_eyes(record: PresaleDiscount, actor: Principal) -> None:
        if actor.subject == record.requested_by:
            raise Forbidden(
                "a discount above the agents' authority is decided by a supervisor other than its requester",
                rule="A5.approver-not-requester",
            )

    def _approved(self, record: PresaleDiscount, by: str, order_total: int) -> DiscountApproved:
        assert record.decided_by is not None
        assert record.decided_at is not None
        return DiscountApproved(
            discount_id=record.id,
            order_id=record.order_id,
            inquiry_id=record.inquiry_id,
            customer_id=record.customer_id,
            merchant_id=record.merchant_id,
            amount_minor=record.amount_minor,
            currency=record.currency,
            authority="agent" if by == "agent" else "supervisor",
            agent_limit_minor=record.agent_limit_minor,
            order_discounts_minor=order_total,
            reason=record.reason,
            requested_by=record.requested_by,
            approved_by=record.decided_by,
            approved_at=record.decided_at,
        )

    async def get(self, discount_id: uuid.UUID) -> schemas.DiscountOut:
        return to_out(await self.repository.get(discount_id))

    async def history(self, discount_id: uuid.UUID) -> list[TransitionOut]:
        await self.repository.get(discount_id)
        return await self.flow.history(discount_id)

    async def list(
        self, page: PageParams, *, order_id: str | None, state: str | None, requested_by: str | None
    ) -> Page[schemas.DiscountOut]:
        rows = await self.repository.page(page, order_id=order_id, state=state, requested_by=requested_by)
        return page_of(rows, page, key=lambda r: (r.requested_at, r.id), item=to_out)
