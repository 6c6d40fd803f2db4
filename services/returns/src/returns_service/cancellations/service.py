"""Use cases: T1 request, T1B1 warehouse confirmation, T1B2 refund only once confirmed;
§6.4 unpaid orders are closed, shipped ones intercepted (freight to whoever caused it)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, Principal, RuleViolation
from aftersales_events import record_event
from aftersales_events.catalogue import returns as ev
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..orders.models import OrderStatus
from ..orders.repository import OrderRepository
from . import schemas
from .models import Cancellation
from .repository import CancellationRepository
from .state import CANCELLATION_FLOW


def to_out(record: Cancellation) -> schemas.CancellationOut:
    out = schemas.CancellationOut.model_validate(record)
    out.allowed_actions = CANCELLATION_FLOW.allowed_actions(record.state)
    return out


class CancellationsService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks) -> None:
        self.session = session
        self.clock = clock
        self.sla = sla
        self.flow = CANCELLATION_FLOW.bind(session, clock, sla)
        self.orders = OrderRepository(session)
        self.repository = CancellationRepository(session)

    async def request(self, data: schemas.CancellationIn, actor: Principal) -> schemas.CancellationOut:
        """T1: check whether the order shipped and route the request accordingly."""
        order = await self.orders.get(data.order_id, for_update=True)
        if order.status == OrderStatus.cancelled:
            raise RuleViolation("T1.order-open", f"order {order.order_id} is already cancelled", field="body.order_id")
        open_request = await self.repository.unrefunded_for(order.order_id)
        if open_request is not None:
            raise Conflict(f"order {order.order_id} already has cancellation {open_request}", id=str(open_request))
        shipped = order.status in (OrderStatus.shipped, OrderStatus.signed)
        outcome = "unpaid" if order.status == OrderStatus.placed else ("shipped" if shipped else "not-shipped")
        now = self.clock.now()
        record = Cancellation(
            id=uuid.uuid4(),
            order_id=order.order_id,
            reason=data.reason,
            reason_party=data.reason_party,
            freight_payer="customer" if shipped and data.reason_party == "customer" else "shop",
            freight_minor=data.freight_minor if shipped else 0,
            paid_minor=order.paid_minor,
            currency=order.currency,
            requested_by=actor.subject,
            created_at=now,
            updated_at=now,
        )
        await self.flow.create(record, actor, outcome=outcome, reason=data.reason)
        await self.repository.add(record)
        return to_out(record)

    async def confirm(
        self, cancellation_id: uuid.UUID, data: schemas.ConfirmIn, actor: Principal
    ) -> schemas.CancellationOut:
        """T1B1: the warehouse cancelled the paid order before shipping; the customer is told."""
        record = await self.repository.get(cancellation_id, for_update=True)
        confirmed = ev.OrderCancellationConfirmed(
            order_id=record.order_id, cancellation_id=record.id, confirmed_by=actor.subject,
            confirmed_at=self.clock.now(), paid_minor=record.paid_minor, currency=record.currency,
        )  # fmt: skip
        await self.flow.apply(record, "confirm", actor, reason=data.customer_note, event=confirmed)
        record.confirmed_by, record.customer_note = actor.subject, data.customer_note
        return to_out(record)

    async def intercepted(self, cancellation_id: uuid.UUID, actor: Principal) -> schemas.CancellationOut:
        """§6.4: the shipped parcel came back (courier return or refused delivery)."""
        record = await self.repository.get(cancellation_id, for_update=True)
        await self.flow.apply(record, "intercepted", actor)
        record.confirmed_by = actor.subject
        return to_out(record)

    async def refund(
        self, cancellation_id: uuid.UUID, data: schemas.CancellationRefundIn, actor: Principal
    ) -> schemas.CancellationOut:
        """T1B2: the refund, and only once the cancellation is confirmed (or the parcel is back)."""
        record = await self.repository.get(cancellation_id, for_update=True)
        self.flow.require(record, "refund")
        freight = record.freight_minor if record.freight_payer == "customer" else 0
        amount = max(record.paid_minor - freight, 0)
        order = await self.orders.get(record.order_id)
        record.refund_id, record.refund_amount_minor, record.refund_method = uuid.uuid4(), amount, data.method
        approved = ev.RefundApproved(
            refund_id=record.refund_id, order_id=record.order_id, kind="cancellation", amount_minor=amount,
            goods_minor=amount, freight_minor=0, currency=record.currency, method=data.method,
            approved_by=actor.subject, approved_at=self.clock.now(), merchant_id=order.merchant_id,
        )  # fmt: skip
        await self.flow.apply(record, "refund", actor, reason=f"{data.method} {amount}", event=approved)
        return to_out(record)

    async def get(self, cancellation_id: uuid.UUID) -> schemas.CancellationOut:
        return to_out(await self.repository.get(cancellation_id))

    async def history(self, cancellation_id: uuid.UUID) -> list[TransitionOut]:
        await self.repository.get(cancellation_id)
        return await self.flow.history(cancellation_id)


async def record_cancellation_refund_issued(
    session: AsyncSession, clock: Clock, record: Cancellation, reference: str
) -> None:
    """The payment port paid a cancelled order's refund out: RefundIssued, once."""
    if record.refund_id is None or record.refund_amount_minor is None or record.refund_issued_at is not None:
        return
    record.refund_issued_at, record.refund_reference = clock.now(), reference
    await record_event(
        session,
        ev.RefundIssued(
            refund_id=record.refund_id, order_id=record.order_id, amount_minor=record.refund_amount_minor,
            currency=record.currency, method=record.refund_method or "online",
            provider_reference=reference, issued_at=record.refund_issued_at,
        ),
        subject=record.order_id,
        at=record.refund_issued_at,
    )  # fmt: skip
