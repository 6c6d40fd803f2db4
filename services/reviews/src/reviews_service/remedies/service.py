"""Use cases of remedies (Z4 → Z5 → Z6). Methods only flush: the entry point commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, Forbidden, Principal, RuleViolation
from aftersales_events.catalogue import reviews as ev
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..orders.repository import OrderRepository
from ..reviews.models import CasePath, CaseState
from ..reviews.repository import ReviewRepository
from . import schemas
from .models import Remedy, RemedyState
from .repository import RemedyRepository
from .state import REMEDY_FLOW

# Z4 follows Z3: the cause analysed and explained. After that a remedy may be agreed whatever
# happens to the review (asked to amend, amended, window closed): it never depends on it.
BEFORE_Z3 = frozenset({CaseState.awaiting_call, CaseState.quality, CaseState.heard})


def to_out(remedy: Remedy) -> schemas.RemedyOut:
    out = schemas.RemedyOut.model_validate(remedy)
    out.allowed_actions = REMEDY_FLOW.allowed_actions(remedy.state)
    return out


class RemedyService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks) -> None:
        self.clock = clock
        self.remedies = RemedyRepository(session)
        self.reviews = ReviewRepository(session)
        self.orders = OrderRepository(session)
        self.flow = REMEDY_FLOW.bind(session, clock, sla)

    async def propose(self, data: schemas.RemedyIn, actor: Principal) -> schemas.RemedyOut:
        """Z4: the cost, with every live remedy for the same order, never above the order's paid
        price. The order's row is locked first, so two proposals for one order are checked one
        after the other and cannot both take the last of the price."""
        case = await self.reviews.get_case(data.case_id)
        if case.path != CasePath.quality or case.state in BEFORE_Z3:
            raise Conflict(
                "a remedy (Z4) follows a quality problem analysed and explained (Z1 → Z3)",
                rule="Z4.after-z3",
                current_state=case.state,
                path=case.path,
            )
        if case.order_id is None:
            raise RuleViolation(
                "Z4.order-known", "the review names no order: its paid price is the cap", field="body.case_id"
            )
        order = await self.orders.find(case.order_id, for_update=True)
        if order is None or order.paid_minor is None or order.currency is None:
            raise RuleViolation(
                "Z4.order-paid-known",
                f"order {case.order_id} has no payment on record yet (OrderPaid): its paid price is the cap",
                field="body.case_id",
                order_id=case.order_id,
            )
        granted = await self.remedies.granted(order.order_id)
        available = order.paid_minor - granted
        if data.amount_minor > available:
            raise RuleViolation(
                "Z4.remedy-within-paid-price",
                f"remedies for order {order.order_id} may total at most its paid price {order.paid_minor}; "
                f"{granted} already granted, {available} left",
                field="body.amount_minor",
                paid_minor=order.paid_minor,
                granted_minor=granted,
                available_minor=available,
            )
        now = self.clock.now()
        remedy = Remedy(
            id=uuid.uuid4(),
            case_id=case.id,
            review_pk=case.review_pk,
            order_id=order.order_id,
            merchant_id=order.merchant_id,
            kind=data.kind,
            description=data.description,
            amount_minor=data.amount_minor,
            currency=order.currency,
            cap_minor=order.paid_minor,
            granted_before_minor=granted,
            state=RemedyState.proposed,
            proposed_by=actor.subject,
            proposed_at=now,
            updated_at=now,
        )
        await self.remedies.add(remedy)
        await self.flow.create(
            remedy, actor, reason=f"{data.kind} {data.amount_minor} {order.currency}: {data.description}"
        )
        return to_out(remedy)

    async def approve(self, remedy_id: uuid.UUID, data: schemas.DecisionIn, actor: Principal) -> schemas.RemedyOut:
        """Z5: a supervisor other than the one who proposed it."""
        remedy = await self.remedies.get(remedy_id, for_update=True)
        self.flow.require(remedy, "approve")
        self._not_the_proposer(remedy, actor)
        await self.flow.apply(remedy, "approve", actor, reason=data.note or None)
        remedy.approved_by, remedy.approved_at = actor.subject, self.clock.now()
        return to_out(remedy)

    async def reject(self, remedy_id: uuid.UUID, data: schemas.DecisionIn, actor: Principal) -> schemas.RemedyOut:
        remedy = await self.remedies.get(remedy_id, for_update=True)
        self.flow.require(remedy, "reject")
        self._not_the_proposer(remedy, actor)
        await self.flow.apply(remedy, "reject", actor, reason=data.note or None)
        return to_out(remedy)

    async def agree(self, remedy_id: uuid.UUID, data: schemas.DecisionIn, actor: Principal) -> schemas.RemedyOut:
        """Z6: agreed with the customer; finance books it from RemedyApproved."""
        remedy = await self.remedies.get(remedy_id, for_update=True)
        self.flow.require(remedy, "agree")
        assert remedy.approved_by is not None
        assert remedy.approved_at is not None
        remedy.agreed_at = self.clock.now()
        event = ev.RemedyApproved(
            review_id=remedy.review_pk,
            remedy_id=remedy.id,
            order_id=remedy.order_id,
            kind=remedy.kind,
            amount_minor=remedy.amount_minor,
            currency=remedy.currency,
            merchant_id=remedy.merchant_id,
            approved_by=remedy.approved_by,
            approved_at=remedy.approved_at,
        )
        await self.flow.apply(remedy, "agree", actor, reason=data.note or None, event=event)
        return to_out(remedy)

    async def decline(self, remedy_id: uuid.UUID, data: schemas.DecisionIn, actor: Principal) -> schemas.RemedyOut:
        remedy = await self.remedies.get(remedy_id, for_update=True)
        await self.flow.apply(remedy, "decline", actor, reason=data.note or None)
        return to_out(remedy)

    def _not_the_proposer(self, remedy: Remedy, actor: Principal) -> None:
        if actor.subject == remedy.proposed_by:
            raise Forbidden(
                "Z5: the supervisor who approves a remedy must be another person than the one who proposed it",
                rule="Z5.different-person",
                proposed_by=remedy.proposed_by,
            )

    async def get(self, remedy_id: uuid.UUID) -> schemas.RemedyOut:
        return to_out(await self.remedies.get(remedy_id))

    async def of_case(self, case_id: uuid.UUID) -> list[schemas.RemedyOut]:
        await self.reviews.get_case(case_id)
        return [to_out(r) for r in await self.remedies.of_case(case_id)]

    async def history(self, remedy_id: uuid.UUID) -> list[TransitionOut]:
        await self.remedies.get(remedy_id)
        return await self.flow.history(remedy_id)
