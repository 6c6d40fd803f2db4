"""C3 … C3B2 (PROCESSES.md §3.1, where K and P continue too): the remedy agreed with the
customer, a return (C3A) or a discount on kept goods (C3B), the abnormal-refund order (C3B1)
and its approval (C3B2) under §10's money rules:

- the discounts of one order are capped, cumulatively, by the exchange cost;
- the cap is checked in the transaction that records the grant, on the order's cap row held
  ``FOR UPDATE``, so two concurrent grants cannot both pass;
- the limit in force is stored with each approval; the approver is never the requester."""

from __future__ import annotations

import uuid

from aftersales_chassis import Forbidden, Principal, RuleViolation
from aftersales_events.catalogue import tickets as ev

from . import schemas
from .flow import CaseFlow, to_out
from .models import AbnormalRefund, AbnormalRefundState, Liability
from .service import return_requested

CAP_RULE = "C3B.discount-within-exchange-cost"


class RemediesService(CaseFlow):
    async def choose(self, case_id: uuid.UUID, data: schemas.RemedyIn, actor: Principal) -> schemas.CaseOut:
        """C3: return/exchange (C3A: AfterSaleReturnRequested, the return flow takes over, the
        case ends) or keep the goods against a discount (C3B: the abnormal refund, C3B1, next)."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, "choose-remedy")
        if data.remedy == "return":
            event = return_requested(record, "C3A", data.note, actor, self.clock.now())
            await flow.apply(record, "choose-remedy", actor, outcome="return", reason=data.note, event=event)
        else:
            await flow.apply(record, "choose-remedy", actor, outcome="discount", reason=data.note)
        return to_out(record)

    async def request(
        self, case_id: uuid.UUID, data: schemas.AbnormalRefundIn, actor: Principal
    ) -> schemas.AbnormalRefundOut:
        """C3B1: the agent creates the abnormal-refund order. Refused at once when it could
        never be granted (above what the exchange cost leaves); C3B2 checks again, locked."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, "request-abnormal-refund")
        now = self.clock.now()
        await self.repository.ensure_order_cap(record.order_id, record.currency, data.exchange_cost_minor, now)
        cap = await self.repository.order_cap(record.order_id)
        assert cap is not None  # just ensured
        if cap.exchange_cost_minor != data.exchange_cost_minor:
            raise RuleViolation(
                "C3B.exchange-cost-of-order",
                f"order {record.order_id}'s exchange cost is {cap.exchange_cost_minor}, fixed by its first abnormal "
                "refund",
                field="body.exchange_cost_minor",
                exchange_cost_minor=cap.exchange_cost_minor,
            )
        if cap.currency != record.currency:
            raise RuleViolation(
                "C3B.currency-of-order", f"the order's discounts are in {cap.currency}", currency=cap.currency
            )
        left = cap.exchange_cost_minor - cap.granted_minor
        if data.amount_minor > left:
            raise RuleViolation(
                CAP_RULE,
                f"a discount of {data.amount_minor} exceeds what the exchange cost leaves for order "
                f"{record.order_id} ({left} of {cap.exchange_cost_minor})",
                field="body.amount_minor",
                limit_minor=left,
                exchange_cost_minor=cap.exchange_cost_minor,
                granted_minor=cap.granted_minor,
            )
        refund = AbnormalRefund(
            id=uuid.uuid4(),
            case_id=record.id,
            order_id=record.order_id,
            state=AbnormalRefundState.requested,
            amount_minor=data.amount_minor,
            currency=record.currency,
            reason=data.reason,
            requested_by=actor.subject,
            requested_at=now,
        )
        await self.repository.add(refund)
        await flow.apply(record, "request-abnormal-refund", actor, reason=f"{data.amount_minor}: {data.reason}")
        return schemas.AbnormalRefundOut.model_validate(refund)

    async def approve(
        self, case_id: uuid.UUID, refund_id: uuid.UUID, data: schemas.DecisionIn, actor: Principal
    ) -> schemas.AbnormalRefundOut:
        """C3B2: a supervisor other than the requester approves; the order's cap row is locked,
        the grant checked against it and added to it, and AbnormalRefundApproved recorded, all in
        this transaction. At the limit it passes; one minor unit above, 422 for anyone."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, "approve-abnormal-refund")
        refund = await self._pending(case_id, refund_id)
        if actor.subject == refund.requested_by:
            raise Forbidden(
                "the approver of an abnormal refund is never its requester", rule="C3B2.approver-not-requester"
            )
        cap = await self.repository.order_cap(record.order_id, for_update=True)
        assert cap is not None  # made by C3B1
        if cap.granted_minor + refund.amount_minor > cap.exchange_cost_minor:
            left = cap.exchange_cost_minor - cap.granted_minor
            raise RuleViolation(
                CAP_RULE,
                f"a discount of {refund.amount_minor} exceeds what the exchange cost leaves for order "
                f"{record.order_id} ({left} of {cap.exchange_cost_minor})",
                limit_minor=left,
                exchange_cost_minor=cap.exchange_cost_minor,
                granted_minor=cap.granted_minor,
            )
        now = self.clock.now()
        refund.limit_in_force_minor, refund.granted_before_minor = cap.exchange_cost_minor, cap.granted_minor
        cap.granted_minor += refund.amount_minor
        cap.updated_at = now
        refund.state, refund.decided_by, refund.decided_at = AbnormalRefundState.approved, actor.subject, now
        refund.decision_note = data.note
        approved = ev.AbnormalRefundApproved(
            case_id=record.id,
            abnormal_refund_id=refund.id,
            order_id=record.order_id,
            amount_minor=refund.amount_minor,
            currency=refund.currency,
            reason=refund.reason,
            liability=record.liability or Liability.shop,
            merchant_id=record.merchant_id,
            approved_by=actor.subject,
            approved_at=now,
        )
        await flow.apply(record, "approve-abnormal-refund", actor, reason=data.note, event=approved)
        return schemas.AbnormalRefundOut.model_validate(refund)

    async def reject(
        self, case_id: uuid.UUID, refund_id: uuid.UUID, data: schemas.RejectionIn, actor: Principal
    ) -> schemas.AbnormalRefundOut:
        """C3B2 refused: back to C3B1 (a smaller discount may be agreed)."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, "reject-abnormal-refund")
        refund = await self._pending(case_id, refund_id)
        if actor.subject == refund.requested_by:
            raise Forbidden(
                "the decider of an abnormal refund is never its requester", rule="C3B2.approver-not-requester"
            )
        refund.state, refund.decided_by, refund.decided_at = (
            AbnormalRefundState.rejected,
            actor.subject,
            self.clock.now(),
        )
        refund.decision_note = data.reason
        await flow.apply(record, "reject-abnormal-refund", actor, reason=data.reason)
        return schemas.AbnormalRefundOut.model_validate(refund)

    async def _pending(self, case_id: uuid.UUID, refund_id: uuid.UUID) -> AbnormalRefund:
        refund = await self.repository.abnormal_refund(case_id, refund_id)
        if refund.state != AbnormalRefundState.requested:
            raise RuleViolation(
                "C3B2.refund-pending", f"abnormal refund {refund_id} is already {refund.state}", state=refund.state
            )
        return refund

    async def list(self, case_id: uuid.UUID) -> list[schemas.AbnormalRefundOut]:
        await self.repository.get(case_id)
        return [schemas.AbnormalRefundOut.model_validate(r) for r in await self.repository.abnormal_refunds(case_id)]
