"""Use cases of the returns flow (PROCESSES.md §6.2): T1A2 → T1A3 → T1A5 → T2A."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Page, PageParams, Principal, RuleViolation, encode_cursor
from aftersales_events import EventPayload, record_event
from aftersales_events.catalogue import returns as ev
from aftersales_sla import SlaClocks

from . import schemas
from .models import ReturnLine, ReturnRequest, ReturnState, ReturnTransition
from .repository import ReturnRepository
from .state import allowed_actions, transition


def to_out(record: ReturnRequest) -> schemas.ReturnOut:
    columns = {name: getattr(record, name) for name in schemas.ReturnOut.model_fields if name not in _DERIVED}
    return schemas.ReturnOut(
        **columns,
        lines=[schemas.ReturnLineOut.model_validate(line) for line in record.lines],
        allowed_actions=allowed_actions(ReturnState(record.state)),
    )


_DERIVED = frozenset({"lines", "allowed_actions"})


def refundable_freight(record: ReturnRequest) -> int:
    """Freight is refunded only when the shop bears it."""
    return record.freight_minor if record.freight_payer == "shop" else 0


def _lines_value(record: ReturnRequest, *, received: bool) -> int:
    return sum((ln.received_quantity if received else ln.quantity) * ln.unit_price_minor for ln in record.lines)


class ReturnsService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks) -> None:
        self.repository = ReturnRepository(session)
        self.session = session
        self.clock = clock
        self.sla = sla

    async def _emit(self, record: ReturnRequest, payload: EventPayload) -> None:
        await record_event(self.session, payload, subject=str(record.id), at=self.clock.now())

    async def _move(self, record: ReturnRequest, action: str, actor: Principal, reason: str | None = None) -> None:
        step = transition(action, ReturnState(record.state))
        now = self.clock.now()
        await self.repository.add_transition(
            ReturnTransition(
                return_id=record.id,
                action=action,
                step=step.step,
                from_state=record.state,
                to_state=step.target,
                actor=actor.subject,
                reason=reason,
                at=now,
            )
        )
        record.state = step.target
        record.updated_at = now

    async def open_return(self, data: schemas.ReturnCreate, actor: Principal) -> schemas.ReturnOut:
        """T1A2: file the return with its refund amount, freight and reason."""
        now = self.clock.now()
        record = ReturnRequest(
            id=uuid.uuid4(),
            order_id=data.order_id,
            state=ReturnState.requested,
            reason=data.reason,
            currency=data.currency,
            requested_refund_minor=data.requested_refund_minor,
            freight_minor=data.freight_minor,
            freight_payer=data.freight_payer,
            created_by=actor.subject,
            created_at=now,
            updated_at=now,
            lines=[
                ReturnLine(line_no=i, sku=ln.sku, quantity=ln.quantity, unit_price_minor=ln.unit_price_minor)
                for i, ln in enumerate(data.lines, start=1)
            ],
        )
        cap = _lines_value(record, received=False) + refundable_freight(record)
        if data.requested_refund_minor > cap:
            raise RuleViolation(
                "T1A2.refund-within-order-value",
                f"requested refund {data.requested_refund_minor} exceeds the returned lines plus refundable "
                f"freight ({cap})",
                field="requested_refund_minor",
                limit_minor=cap,
            )
        await self.repository.add(record)
        await self.repository.add_transition(
            ReturnTransition(
                return_id=record.id,
                action="open",
                step="T1A2",
                from_state=None,
                to_state=ReturnState.requested,
                actor=actor.subject,
                reason=data.reason,
                at=now,
            )
        )
        await self.sla.start("T1A3", "return", str(record.id))
        await self._emit(
            record,
            ev.ReturnRequested(
                return_id=record.id,
                order_id=record.order_id,
                reason=record.reason,
                lines=[
                    ev.ReturnLine(sku=ln.sku, quantity=ln.quantity, unit_price_minor=ln.unit_price_minor)
                    for ln in record.lines
                ],
                requested_refund_minor=record.requested_refund_minor,
                freight_minor=record.freight_minor,
                freight_payer=data.freight_payer,
                currency=record.currency,
                requested_by=actor.subject,
            ),
        )
        return to_out(record)

    async def approve(self, return_id: uuid.UUID, data: schemas.ApproveIn, actor: Principal) -> schemas.ReturnOut:
        """T1A3: the supervisor approves."""
        record = await self.repository.get(return_id, for_update=True)
        await self._move(record, "approve", actor, data.note)
        await self.sla.stop("T1A3", str(record.id), by=actor.subject)
        await self._emit(
            record,
            ev.ReturnApproved(return_id=record.id, order_id=record.order_id, approved_by=actor.subject, note=data.note),
        )
        return to_out(record)

    async def reject(self, return_id: uuid.UUID, data: schemas.RejectIn, actor: Principal) -> schemas.ReturnOut:
        """T1A3: the supervisor rejects, with a reason."""
        record = await self.repository.get(return_id, for_update=True)
        await self._move(record, "reject", actor, data.reason)
        await self.sla.stop("T1A3", str(record.id), by=actor.subject)
        await self._emit(
            record,
            ev.ReturnRejected(
                return_id=record.id, order_id=record.order_id, rejected_by=actor.subject, reason=data.reason
            ),
        )
        return to_out(record)

    async def log_arrival(self, return_id: uuid.UUID, actor: Principal) -> schemas.ReturnOut:
        """M: the return parcel is logged at the warehouse; T1A5's 24 h start now."""
        record = await self.repository.get(return_id, for_update=True)
        await self._move(record, "log-arrival", actor)
        await self.sla.start("T1A5", "return", str(record.id))
        return to_out(record)

    async def confirm_receipt(
        self, return_id: uuid.UUID, data: schemas.ReceiptIn, actor: Principal
    ) -> schemas.ReturnOut:
        """T1A5: the warehouse confirms what arrived (all lines unless it says otherwise)."""
        record = await self.repository.get(return_id, for_update=True)
        await self._move(record, "receive", actor)
        received = {ln.sku: ln.received_quantity for ln in data.lines} if data.lines is not None else None
        known = {ln.sku for ln in record.lines}
        if received is not None and (unknown := sorted(set(received) - known)):
            raise RuleViolation("T1A5.lines-belong-to-return", f"unknown sku(s) {unknown}", field="lines")
        for line in record.lines:
            quantity = line.quantity if received is None else received.get(line.sku, 0)
            if quantity > line.quantity:
                raise RuleViolation(
                    "T1A5.received-within-returned",
                    f"received {quantity} of {line.sku} but only {line.quantity} were returned",
                    field="lines",
                )
            line.received_quantity = quantity
        await self.sla.stop("T1A5", str(record.id), by=actor.subject)
        await self.sla.start("T2A", "return", str(record.id))
        await self._emit(
            record,
            ev.ReturnReceived(
                return_id=record.id,
                order_id=record.order_id,
                received_by=actor.subject,
                received_at=self.clock.now(),
                lines=[
                    ev.ReturnLine(sku=ln.sku, quantity=ln.received_quantity, unit_price_minor=ln.unit_price_minor)
                    for ln in record.lines
                ],
            ),
        )
        return to_out(record)

    async def approve_refund(self, return_id: uuid.UUID, data: schemas.RefundIn, actor: Principal) -> schemas.ReturnOut:
        """T2A → T1B2: an authorised agent decides the amount; capped by what was received."""
        record = await self.repository.get(return_id, for_update=True)
        transition("refund", ReturnState(record.state))
        freight_cap = refundable_freight(record)
        if data.freight_minor > freight_cap:
            raise RuleViolation(
                "T2A.freight-refundable",
                f"freight refund {data.freight_minor} exceeds refundable freight {freight_cap}",
                field="freight_minor",
                limit_minor=freight_cap,
            )
        goods = data.amount_minor - data.freight_minor
        goods_cap = _lines_value(record, received=True)
        if goods < 0 or goods > goods_cap:
            raise RuleViolation(
                "T2A.refund-within-received",
                f"refund for goods {goods} must be between 0 and the received lines' value {goods_cap}",
                field="amount_minor",
                limit_minor=goods_cap + data.freight_minor,
            )
        await self._move(record, "refund", actor, f"{data.method} {data.amount_minor}")
        record.refund_amount_minor = data.amount_minor
        record.refund_method = data.method
        await self.sla.stop("T2A", str(record.id), by=actor.subject)
        await self._emit(
            record,
            ev.RefundApproved(
                return_id=record.id,
                order_id=record.order_id,
                amount_minor=data.amount_minor,
                goods_minor=goods,
                freight_minor=data.freight_minor,
                currency=record.currency,
                method=data.method,
                approved_by=actor.subject,
                approved_at=self.clock.now(),
            ),
        )
        return to_out(record)

    async def get(self, return_id: uuid.UUID) -> schemas.ReturnOut:
        return to_out(await self.repository.get(return_id))

    async def history(self, return_id: uuid.UUID) -> list[schemas.TransitionOut]:
        await self.repository.get(return_id)
        return [schemas.TransitionOut.model_validate(t) for t in await self.repository.history(return_id)]

    async def list(
        self, page: PageParams, *, state: ReturnState | None, order_id: str | None
    ) -> Page[schemas.ReturnOut]:
        rows = await self.repository.list(page, state=state, order_id=order_id)
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        cursor = encode_cursor([rows[-1].created_at.isoformat(), str(rows[-1].id)]) if more and rows else None
        return Page[schemas.ReturnOut](items=[to_out(r) for r in rows], next_cursor=cursor)
