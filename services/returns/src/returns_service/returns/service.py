"""Use cases of the return flow after shipment (PROCESSES.md §6.2): T1A2 → T1A3 → T1A4 →
M → T1A5, and withdrawal. Refunds, exchanges and stock-in live in refunds.py/exchanges.py."""

from __future__ import annotations

import uuid

from aftersales_chassis import Forbidden, Page, PageParams, Principal, Role, RuleViolation, page_of
from aftersales_events.catalogue import returns as ev
from aftersales_workflow import TransitionOut

from ..orders.models import Order, OrderStatus
from ..requests.service import RefundRequestsService
from . import schemas
from .flow import ReturnFlow, event_lines, lines_value, refundable_freight, to_out
from .models import ReturnLine, ReturnRequest, ReturnState

RETURNABLE = frozenset({OrderStatus.shipped, OrderStatus.signed})


class ReturnsService(ReturnFlow):
    async def _priced_lines(self, data: schemas.ReturnCreate) -> tuple[Order, list[ReturnLine]]:
        """T1A1/T1A2 rules: the order is known and shipped, lines are the order's, quantities
        (with other open returns of the order) stay within what was ordered."""
        order = await self.orders.find(data.order_id)
        if order is None:
            raise RuleViolation("T1A2.order-known", f"order {data.order_id} is not known", field="body.order_id")
        if order.status not in RETURNABLE:
            raise RuleViolation(
                "T1A2.order-shipped",
                f"order {order.order_id} is '{order.status}': before shipment, request a cancellation (T1B)",
                field="body.order_id",
                order_status=order.status,
            )
        ordered = {line.sku: line for line in order.lines}
        taken = await self.repository.quantities_in_open_returns(order.order_id)
        lines = []
        for i, line in enumerate(data.lines):
            if line.sku not in ordered:
                raise RuleViolation("T1A2.line-in-order", f"{line.sku} is not in order", field=f"body.lines[{i}].sku")
            returnable = ordered[line.sku].quantity - taken.get(line.sku, 0)
            if line.quantity > returnable:
                raise RuleViolation(
                    "T1A2.quantity-within-order",
                    f"{line.quantity} × {line.sku} requested, {returnable} still returnable",
                    field=f"body.lines[{i}].quantity",
                    returnable=returnable,
                )
            price = ordered[line.sku].unit_price_minor
            lines.append(
                ReturnLine(
                    line_no=i + 1, sku=line.sku, quantity=line.quantity, unit_price_minor=price, reason=line.reason
                )
            )
        return order, lines

    async def open_return(self, data: schemas.ReturnCreate, actor: Principal) -> schemas.ReturnOut:
        """T1A2: file the return with its refund amount, freight and reasons (and, when it was
        agreed on a refund request in T1A1, close that request: the one named by
        `refund_request_id`, or else the order's only `negotiating` one)."""
        order, lines = await self._priced_lines(data)
        now = self.clock.now()
        record = ReturnRequest(
            id=uuid.uuid4(),
            order_id=data.order_id,
            state=ReturnState.requested,
            reason=data.reason,
            currency=order.currency,
            requested_refund_minor=data.requested_refund_minor,
            freight_minor=data.freight_minor,
            freight_payer=data.freight_payer,
            created_by=actor.subject,
            created_at=now,
            updated_at=now,
            lines=lines,
        )
        cap = min(lines_value(record, received=False), order.paid_minor) + refundable_freight(record)
        if data.requested_refund_minor > cap:
            raise RuleViolation(
                "T1A2.refund-within-order-value",
                f"requested refund {data.requested_refund_minor} exceeds the returned lines (as paid) plus "
                f"refundable freight ({cap})",
                field="body.requested_refund_minor",
                limit_minor=cap,
            )
        await self.repository.add(record)
        requests = RefundRequestsService(self.session, self.clock, self.sla)
        if data.refund_request_id is not None:  # T1A1 agreed: its request is filed, its clock stops
            await requests.file(data.refund_request_id, order_id=record.order_id, return_id=record.id, actor=actor)
        else:  # not named: the order's one request in T1A1, if there is exactly one, the same way
            await requests.file_negotiating(order_id=record.order_id, return_id=record.id, actor=actor)
        await self.flow.create(
            record,
            actor,
            reason=data.reason,
            event=ev.ReturnRequested(
                return_id=record.id,
                order_id=record.order_id,
                reason=record.reason,
                lines=event_lines(record, received=False),
                requested_refund_minor=record.requested_refund_minor,
                freight_minor=record.freight_minor,
                freight_payer=data.freight_payer,
                currency=record.currency,
                requested_by=actor.subject,
            ),
        )
        return to_out(record)

    async def approve(self, return_id: uuid.UUID, data: schemas.ApproveIn, actor: Principal) -> schemas.ReturnOut:
        """T1A3: the supervisor approves; T1A4's clock for the tracking number starts."""
        record = await self.repository.get(return_id, for_update=True)
        approved = ev.ReturnApproved(
            return_id=record.id, order_id=record.order_id, approved_by=actor.subject, note=data.note
        )
        await self.flow.apply(record, "approve", actor, reason=data.note, event=approved)
        return to_out(record)

    async def reject(self, return_id: uuid.UUID, data: schemas.RejectIn, actor: Principal) -> schemas.ReturnOut:
        """T1A3: the supervisor rejects, with a reason."""
        record = await self.repository.get(return_id, for_update=True)
        rejected = ev.ReturnRejected(
            return_id=record.id, order_id=record.order_id, rejected_by=actor.subject, reason=data.reason
        )
        await self.flow.apply(record, "reject", actor, reason=data.reason, event=rejected)
        return to_out(record)

    async def enter_tracking(
        self, return_id: uuid.UUID, data: schemas.TrackingIn, actor: Principal
    ) -> schemas.ReturnOut:
        """T1A4: the agent enters the customer's return tracking number (M1 matches on it)."""
        record = await self.repository.get(return_id, for_update=True)
        await self.flow.apply(record, "enter-tracking", actor, reason=f"{data.courier} {data.tracking_number}")
        record.return_courier, record.return_tracking_number = data.courier, data.tracking_number
        return to_out(record)

    async def log_arrival(self, return_id: uuid.UUID, actor: Principal) -> schemas.ReturnOut:
        """M: the return parcel is logged at the warehouse; T1A5's 24 h start now."""
        record = await self.repository.get(return_id, for_update=True)
        await self.flow.apply(record, "log-arrival", actor)
        return to_out(record)

    async def confirm_receipt(
        self, return_id: uuid.UUID, data: schemas.ReceiptIn, actor: Principal
    ) -> schemas.ReturnOut:
        """T1A5: the warehouse confirms what arrived (all lines unless it says otherwise)."""
        record = await self.repository.get(return_id, for_update=True)
        self.flow.require(record, "receive")
        received = {ln.sku: ln for ln in data.lines} if data.lines is not None else None
        known = {ln.sku for ln in record.lines}
        if received is not None and (unknown := sorted(set(received) - known)):
            raise RuleViolation("T1A5.lines-belong-to-return", f"unknown sku(s) {unknown}", field="body.lines")
        for line in record.lines:
            reported = None if received is None else received.get(line.sku)
            quantity = line.quantity if received is None else (reported.received_quantity if reported else 0)
            damaged = reported.damaged_quantity if reported else 0
            if quantity > line.quantity:
                raise RuleViolation(
                    "T1A5.received-within-returned",
                    f"received {quantity} of {line.sku} but only {line.quantity} were returned",
                    field="body.lines",
                )
            if damaged > quantity:
                raise RuleViolation(
                    "T1A5.damaged-within-received",
                    f"{damaged} damaged of {quantity} received {line.sku}",
                    field="body.lines",
                )
            line.received_quantity, line.damaged_quantity = quantity, damaged
        receipt = ev.ReturnReceived(
            return_id=record.id,
            order_id=record.order_id,
            received_by=actor.subject,
            received_at=self.clock.now(),
            lines=event_lines(record, received=True),
        )
        await self.flow.apply(record, "receive", actor, event=receipt)
        return to_out(record)

    async def cancel(self, return_id: uuid.UUID, data: schemas.CancelIn, actor: Principal) -> schemas.ReturnOut:
        """The customer or an agent withdraws the return; possible until the parcel is received."""
        record = await self.repository.get(return_id, for_update=True)
        if not (actor.has(Role.agent) or actor.has(Role.supervisor)):
            order = await self.orders.get(record.order_id)
            if order.customer_id != actor.subject:
                raise Forbidden("customers may withdraw only their own returns", rule="T1A2.own-return")
        cancelled = ev.ReturnCancelled(
            return_id=record.id, order_id=record.order_id, cancelled_by=actor.subject, reason=data.reason
        )
        await self.flow.apply(record, "cancel", actor, reason=data.reason, event=cancelled)
        return to_out(record)

    async def get(self, return_id: uuid.UUID) -> schemas.ReturnOut:
        return to_out(await self.repository.get(return_id))

    async def history(self, return_id: uuid.UUID) -> list[TransitionOut]:
        await self.repository.get(return_id)
        return await self.flow.history(return_id)

    async def list(
        self, page: PageParams, *, state: ReturnState | None, order_id: str | None
    ) -> Page[schemas.ReturnOut]:
        rows = await self.repository.list(page, state=state, order_id=order_id)
        return page_of(rows, page, key=lambda r: (r.created_at, r.id), item=to_out)
