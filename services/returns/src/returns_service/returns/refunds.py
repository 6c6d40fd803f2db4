"""Refunds (T2A → T1B2): the decision with its caps, the supervisor-approved paths without a
parcel, and recording what the payment port paid out."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Forbidden, Principal, Role, RuleViolation
from aftersales_events import record_event
from aftersales_events.catalogue import returns as ev

from . import schemas
from .flow import ReturnFlow, lines_value, refundable_freight, to_out
from .models import ReturnRequest


class RefundsService(ReturnFlow):
    async def _paid_left(self, record: ReturnRequest) -> int:
        order = await self.orders.get(record.order_id)
        return order.paid_minor - await self.repository.refunded_for_order(record.order_id, excluding=record.id)

    async def approve_refund(self, return_id: uuid.UUID, data: schemas.RefundIn, actor: Principal) -> schemas.ReturnOut:
        """T2A → T1B2: never above the received lines (and what the order paid) plus the freight
        the shop bears, unless a supervisor grants goodwill on top."""
        record = await self.repository.get(return_id, for_update=True)
        self.flow.require(record, "refund")
        if record.refund_hold_reason is not None:
            raise RuleViolation(
                "T2A.refund-on-hold",
                f"the refund is on hold: {record.refund_hold_reason}",
                hold=record.refund_hold_reason,
            )
        if data.goodwill_minor and not actor.has(Role.supervisor):
            raise Forbidden(
                "a goodwill amount above the received goods needs a supervisor", rule="T2A.goodwill-by-supervisor"
            )
        freight_cap = refundable_freight(record)
        if data.freight_minor > freight_cap:
            raise RuleViolation(
                "T2A.freight-refundable",
                f"freight refund {data.freight_minor} exceeds refundable freight {freight_cap}",
                field="body.freight_minor",
                limit_minor=freight_cap,
            )
        goods = data.amount_minor - data.freight_minor - data.goodwill_minor
        goods_cap = min(lines_value(record, received=True), await self._paid_left(record))
        if goods < 0 or goods > goods_cap:
            raise RuleViolation(
                "T2A.refund-within-received",
                f"refund for goods {goods} must be between 0 and the received lines' value as paid ({goods_cap})",
                field="body.amount_minor",
                limit_minor=goods_cap + data.freight_minor + data.goodwill_minor,
            )
        await self.flow.apply(record, "refund", actor, reason=f"{data.method} {data.amount_minor}")
        await self._approve(record, data.amount_minor, data.freight_minor, data.goodwill_minor, data.method, "return",
                            actor)  # fmt: skip
        return to_out(record)

    async def hold(self, return_id: uuid.UUID, data: schemas.HoldIn, actor: Principal) -> schemas.ReturnOut:
        """Supervisor-approved: the parcel is received but not refunded yet; T2A's clock pauses."""
        record = await self.repository.get(return_id, for_update=True)
        self.flow.require(record, "hold-refund")
        if record.refund_hold_reason is not None:
            raise RuleViolation("T2A.refund-on-hold", "the refund is already on hold", hold=record.refund_hold_reason)
        await self.flow.apply(record, "hold-refund", actor, reason=data.reason)
        record.refund_hold_reason = data.reason
        return to_out(record)

    async def release(self, return_id: uuid.UUID, actor: Principal) -> schemas.ReturnOut:
        record = await self.repository.get(return_id, for_update=True)
        self.flow.require(record, "release-refund")
        if record.refund_hold_reason is None:
            raise RuleViolation("T2A.refund-on-hold", "the refund is not on hold")
        await self.flow.apply(record, "release-refund", actor)
        record.refund_hold_reason = None
        return to_out(record)

    async def refund_without_parcel(
        self, return_id: uuid.UUID, data: schemas.RefundWithoutParcelIn, actor: Principal
    ) -> schemas.ReturnOut:
        """Supervisor-approved: refund an approved return whose parcel never came (lost in
        transit) or as goodwill; never above what the order paid."""
        record = await self.repository.get(return_id, for_update=True)
        self.flow.require(record, "refund-without-parcel")
        cap = await self._paid_left(record)
        if data.kind == "lost_in_transit":
            cap = min(cap, lines_value(record, received=False))
        if data.amount_minor > cap:
            raise RuleViolation(
                "T2A.refund-within-paid", f"refund {data.amount_minor} exceeds {cap}", field="body.amount_minor",
                limit_minor=cap,
            )  # fmt: skip
        await self.flow.apply(record, "refund-without-parcel", actor, reason=f"{data.kind}: {data.note}")
        goodwill = data.amount_minor if data.kind == "goodwill" else 0
        await self._approve(record, data.amount_minor, 0, goodwill, data.method, data.kind, actor)
        return to_out(record)

    async def _approve(
        self, record: ReturnRequest, amount: int, freight: int, goodwill: int, method: str, kind: str, actor: Principal
    ) -> None:
        now = self.clock.now()
        record.refund_id = uuid.uuid4()
        record.refund_amount_minor, record.refund_freight_minor, record.goodwill_minor = amount, freight, goodwill
        record.refund_method, record.refund_kind = method, kind
        order = await self.orders.get(record.order_id)
        await self.emit(
            record,
            ev.RefundApproved(
                return_id=record.id,
                refund_id=record.refund_id,
                order_id=record.order_id,
                kind=kind,
                amount_minor=amount,
                goods_minor=amount - freight - goodwill,
                freight_minor=freight,
                goodwill_minor=goodwill,
                currency=record.currency,
                method=method,
                approved_by=actor.subject,
                approved_at=now,
                merchant_id=order.merchant_id,
            ),
        )


async def record_refund_issued(session: AsyncSession, clock: Clock, record: ReturnRequest, reference: str) -> None:
    """The payment port paid the refund: remember it and publish RefundIssued (once)."""
    if record.refund_issued_at is not None or record.refund_id is None or record.refund_amount_minor is None:
        return
    record.refund_issued_at, record.refund_reference = clock.now(), reference
    await record_event(
        session,
        ev.RefundIssued(
            refund_id=record.refund_id,
            return_id=record.id,
            order_id=record.order_id,
            amount_minor=record.refund_amount_minor,
            currency=record.currency,
            method=record.refund_method or "online",
            provider_reference=reference,
            issued_at=record.refund_issued_at,
        ),
        subject=str(record.id),
        at=record.refund_issued_at,
    )
