"""Use cases: T1 request, T1B1 warehouse confirmation, T1B2 refund only once confirmed;
§6.4 unpaid orders are closed, shipped ones intercepted (freight to whoever caused it)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, Principal, RuleViolation
from aftersales_events import EventPayload, record_event
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
        await self.flow.create(record, actor, outcome=outcome, reason=data.reason, event=_requested(record, outcome))
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
        succeeded = ev.OrderInterceptSucceeded(
            order_id=record.order_id, cancellation_id=record.id, recorded_by=actor.subject,
            intercepted_at=self.clock.now(),
        )  # fmt: skip
        await self.flow.apply(record, "intercepted", actor, event=succeeded)
        record.confirmed_by = actor.subject
        return to_out(record)

    async def intercept_failed(
        self, cancellation_id: uuid.UUID, data: schemas.InterceptFailedIn, actor: Principal
    ) -> schemas.CancellationOut:
        """§6.4: the courier could not bring the parcel back (delivered and kept): the order
        stands, and finance settles it again."""
        record = await self.repository.get(cancellation_id, for_update=True)
        failed = ev.OrderInterceptFailed(
            order_id=record.order_id, cancellation_id=record.id, recorded_by=actor.subject,
            failed_at=self.clock.now(), reason=data.reason,
        )  # fmt: skip
        await self.flow.apply(record, "intercept-failed", actor, reason=data.reason, event=failed)
        record.confirmed_by, record.customer_note = actor.subject, data.reason
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


def _requested(record: Cancellation, outcome: str) -> EventPayload | None:
    """What finance learns when a cancellation opens: a paid order pending cancellation (T1B)
    or a shipped one being intercepted (§6.4); an unpaid order moves no money."""
    if outcome == "not-shipped":
        return ev.OrderCancellationRequested(
            order_id=record.order_id, cancellation_id=record.id, requested_by=record.requested_by,
            requested_at=record.created_at, paid_minor=record.paid_minor, currency=record.currency,
        )  # fmt: skip
    if outcome == "shipped":
        return ev.OrderInterceptRequested(
            order_id=record.order_id, cancellation_id=record.id, requested_by=record.requested_by,
            requested_at=record.created_at, freight_payer="customer" if record.freight_payer == "customer" else "shop",
            freight_minor=record.freight_minor, currency=record.currency,
        )  # fmt: skip
    return None


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
