"""What every returns use case shares: the unit of work's session, the clock, SLA clocks,
the return's workflow (transitions with their audit row and clocks), and events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock
from aftersales_events import EventPayload, record_event
from aftersales_events.catalogue import returns as ev
from aftersales_sla import SlaClocks

from ..orders.repository import OrderRepository
from . import schemas
from .models import ReturnRequest
from .repository import ReturnRepository
from .state import RETURN_FLOW

_DERIVED = frozenset({"lines", "allowed_actions"})


def to_out(record: ReturnRequest) -> schemas.ReturnOut:
    columns = {name: getattr(record, name) for name in schemas.ReturnOut.model_fields if name not in _DERIVED}
    return schemas.ReturnOut(
        **columns,
        lines=[schemas.ReturnLineOut.model_validate(line) for line in record.lines],
        allowed_actions=RETURN_FLOW.allowed_actions(record.state),
    )


def refundable_freight(record: ReturnRequest) -> int:
    """Freight is refunded only when the shop bears it."""
    return record.freight_minor if record.freight_payer == "shop" else 0


def lines_value(record: ReturnRequest, *, received: bool) -> int:
    return sum((ln.received_quantity if received else ln.quantity) * ln.unit_price_minor for ln in record.lines)


def event_lines(record: ReturnRequest, *, received: bool) -> list[ev.ReturnLine]:
    return [
        ev.ReturnLine(
            sku=ln.sku,
            quantity=ln.received_quantity if received else ln.quantity,
            unit_price_minor=ln.unit_price_minor,
            damaged_quantity=ln.damaged_quantity if received else 0,
        )
        for ln in record.lines
    ]


class ReturnFlow:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks) -> None:
        self.session = session
        self.clock = clock
        self.sla = sla
        self.flow = RETURN_FLOW.bind(session, clock, sla)
        self.repository = ReturnRepository(session)
        self.orders = OrderRepository(session)

    async def emit(self, record: ReturnRequest, payload: EventPayload) -> None:
        await record_event(self.session, payload, subject=str(record.id), at=self.clock.now())
