"""Use cases: T1 intake and routing (not shipped → a cancellation, T1B1; shipped → T1A1
agreeing the return), T1A2 filing the return for it, and withdrawal."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import (
    Clock,
    Conflict,
    Forbidden,
    Page,
    PageParams,
    Principal,
    Role,
    RuleViolation,
    page_of,
)
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..cancellations.models import CancellationState
from ..cancellations.schemas import CancellationIn
from ..cancellations.service import CancellationsService
from ..orders.models import Order, OrderStatus
from ..orders.repository import OrderRepository
from . import schemas
from .models import RefundRequest
from .models import RefundRequestState as S
from .repository import RefundRequestRepository
from .state import REFUND_REQUEST_FLOW

NOT_SHIPPED = frozenset({OrderStatus.placed, OrderStatus.paid})
SHIPPED = frozenset({OrderStatus.shipped, OrderStatus.signed})


def _staff(actor: Principal) -> bool:
    return any(actor.has(role) for role in (Role.agent, Role.supervisor, Role.service))


def to_out(record: RefundRequest) -> schemas.RefundRequestOut:
    columns = {
        name: getattr(record, name) for name in schemas.RefundRequestOut.model_fields if name != "allowed_actions"
    }
    return schemas.RefundRequestOut(**columns, allowed_actions=REFUND_REQUEST_FLOW.allowed_actions(record.state))


class RefundRequestsService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks) -> None:
        self.session = session
        self.clock = clock
        self.sla = sla
        self.flow = REFUND_REQUEST_FLOW.bind(session, clock, sla)
        self.orders = OrderRepository(session)
        self.repository = RefundRequestRepository(session)

    def _own_order(self, order: Order, actor: Principal) -> None:
        """Customers act on their own orders only; staff and the shop frontend on any."""
        if not _staff(actor) and order.customer_id != actor.subject:
            raise Forbidden("customers may act only on their own orders", rule="T1.own-order")

    async def open(self, data: schemas.RefundRequestIn, actor: Principal) -> schemas.RefundRequestOut:
        """T1 starts: the customer asked for their money back; the agent has 24 h to check the order."""
        order = await self.orders.find(data.order_id, for_update=True)  # serialises intake per order
        if order is None:
            raise RuleViolation("T1.order-known", f"order {data.order_id} is not known", field="body.order_id")
        self._own_order(order, actor)
        if order.status == OrderStatus.cancelled:
            raise RuleViolation("T1.order-open", f"order {order.order_id} is already cancelled", field="body.order_id")
        open_request = await self.repository.in_progress_for(order.order_id)
        if open_request is not None:
            raise Conflict(
                f"order {order.order_id} already has refund request {open_request} in progress", id=str(open_request)
            )
        now = self.clock.now()
        record = RefundRequest(
            id=uuid.uuid4(), order_id=order.order_id, state=S.open, reason=data.reason, channel=data.channel,
            created_by=actor.subject, created_at=now, updated_at=now,
        )  # fmt: skip
        await self.repository.add(record)
        await self.flow.create(record, actor, reason=data.reason)
        return to_out(record)

    async def route(self, request_id: uuid.UUID, data: schemas.RouteIn, actor: Principal) -> schemas.RefundRequestOut:
        """T1: has the order shipped? Not shipped → a cancellation (T1B1; unpaid: closed);
        shipped → T1A1, agree the return with the customer. T1 stops either way."""
        record = await self.repository.get(request_id, for_update=True)
        self.flow.require(record, "route")
        order = await self.orders.get(record.order_id)
        if order.status in NOT_SHIPPED:
            cancellation = await CancellationsService(self.session, self.clock, self.sla).request(
                CancellationIn(order_id=order.order_id, reason=record.reason, reason_party=data.reason_party), actor
            )
            record.cancellation_id = cancellation.id
            outcome = "unpaid" if cancellation.state == CancellationState.closed_unpaid else "not-shipped"
        elif order.status in SHIPPED:
            outcome = "shipped"
        else:
            raise RuleViolation(
                "T1.order-open", f"order {order.order_id} is already cancelled", field="path.request_id"
            )
        await self.flow.apply(record, "route", actor, outcome=outcome, reason=data.note)
        now = record.updated_at
        record.order_status, record.routed_by, record.routed_at = order.status, actor.subject, now
        if record.state == S.closed:
            record.closed_by, record.closed_at = actor.subject, now
        return to_out(record)

    async def file(self, request_id: uuid.UUID, *, order_id: str, return_id: uuid.UUID, actor: Principal) -> None:
        """T1A2: the return agreed in T1A1 is filed; T1A1 stops. Called inside the return's unit of work."""
        record = await self.repository.find(request_id, for_update=True)
        if record is None:
            raise RuleViolation(
                "T1A2.refund-request-known",
                f"refund request {request_id} does not exist",
                field="body.refund_request_id",
            )
        if record.order_id != order_id:
            raise RuleViolation(
                "T1A2.refund-request-same-order",
                f"refund request {request_id} is for order {record.order_id}, not {order_id}",
                field="body.refund_request_id",
            )
        await self.flow.apply(record, "file", actor, reason=f"return {return_id}")
        record.return_id = return_id
        record.closed_by, record.closed_at = actor.subject, record.updated_at

    async def file_negotiating(self, *, order_id: str, return_id: uuid.UUID, actor: Principal) -> uuid.UUID | None:
        """T1A2 filed without `refund_request_id`: the order's request in T1A1 (`negotiating`), when
        there is exactly one, is filed the same way as :meth:`file`; none or several: nothing."""
        found = await self.repository.lock_negotiating(order_id)
        if len(found) != 1:
            return None
        await self.file(found[0], order_id=order_id, return_id=return_id, actor=actor)
        return found[0]

    async def agree(self, request_id: uuid.UUID, data: schemas.AgreeIn, actor: Principal) -> schemas.RefundRequestOut:
        """T1A1 done: the return is agreed with the customer; T1A2's 24 h to file it start."""
        record = await self.repository.get(request_id, for_update=True)
        await self.flow.apply(record, "agree", actor, reason=data.note)
        return to_out(record)

    async def withdraw(
        self, request_id: uuid.UUID, data: schemas.WithdrawIn, actor: Principal
    ) -> schemas.RefundRequestOut:
        """The customer changed their mind, or the agent records that no agreement was reached."""
        record = await self.repository.get(request_id, for_update=True)
        self._own_order(await self.orders.get(record.order_id), actor)
        await self.flow.apply(record, "withdraw", actor, reason=data.reason)
        record.closed_by, record.closed_at = actor.subject, record.updated_at
        return to_out(record)

    async def get(self, request_id: uuid.UUID) -> schemas.RefundRequestOut:
        return to_out(await self.repository.get(request_id))

    async def history(self, request_id: uuid.UUID) -> list[TransitionOut]:
        await self.repository.get(request_id)
        return await self.flow.history(request_id)

    async def list(self, page: PageParams, *, state: S | None, order_id: str | None) -> Page[schemas.RefundRequestOut]:
        rows = await self.repository.page(page, state=state, order_id=order_id)
        return page_of(rows, page, key=lambda r: (r.created_at, r.id), item=to_out)
