"""Queries of merchant settlement: finance's read models (orders, complaints, cancelled
deposits, upserted from events: replaying an event, or receiving facts out of order, leaves
the same rows), the settlement documents and their lines."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    CursorResult,
    DateTime,
    String,
    Table,
    TextClause,
    Update,
    bindparam,
    case,
    delete,
    exists,
    func,
    null,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import PageParams
from aftersales_chassis.keyset import keyset

from .models import (
    CancellationHold,
    Settlement,
    SettlementComplaint,
    SettlementDeposit,
    SettlementLine,
    SettlementOrder,
)
from .plan import PlannedLine

COMPLAINTS = cast(Table, SettlementComplaint.__table__)  # a mapped class's table is typed FromClause
HOLDS = cast(Table, CancellationHold.__table__)
DEPOSITS = cast(Table, SettlementDeposit.__table__)

# The facts an order event may carry, with their column types (the unnest below).
ORDER_FACTS: dict[str, Any] = {
    "merchant_id": String(),
    "currency": String(),
    "total_minor": BigInteger(),
    "paid_minor": BigInteger(),
    "placed_at": DateTime(timezone=True),
    "paid_at": DateTime(timezone=True),
    "shipped_at": DateTime(timezone=True),
    "signed_at": DateTime(timezone=True),
    "cancelled_at": DateTime(timezone=True),
    "cancellation_pending_at": DateTime(timezone=True),
}


@functools.cache
def _upsert_order_facts(facts: tuple[str, ...]) -> TextClause:
    """One statement for a whole batch, over the facts the batch carries (an order event
    carries a few of the ten; unsent columns are not bound at all): the first known value
    of each fact wins (facts do not change; replays are no-ops), so the update keeps what
    the row has and fills the gaps. Column names come from ORDER_FACTS; every value is bound.
    """
    columns = ["order_id", "updated_at", *facts]
    return text(
        f"INSERT INTO settlement_orders ({', '.join(columns)})"  # noqa: S608
        f" SELECT * FROM unnest({', '.join(':' + c for c in columns)})"
        " ON CONFLICT (order_id) DO UPDATE SET"
        " updated_at = greatest(settlement_orders.updated_at, EXCLUDED.updated_at)"
        + "".join(f", {c} = coalesce(settlement_orders.{c}, EXCLUDED.{c})" for c in facts)
    ).bindparams(
        bindparam("order_id", type_=ARRAY(String())),
        bindparam("updated_at", type_=ARRAY(DateTime(timezone=True))),
        *(bindparam(c, type_=ARRAY(ORDER_FACTS[c])) for c in facts),
    )


@dataclass(frozen=True)
class OrderFact:
    order_id: str
    at: datetime
    facts: dict[str, Any] = field(hash=False)


class OrderFactsWriter:
    """Upserts a batch's order facts in one statement (merged per order first: one
    statement may not touch a row twice)."""

    async def write(self, session: AsyncSession, items: Sequence[OrderFact]) -> None:
        merged: dict[str, dict[str, Any]] = {}
        for item in items:
            row = merged.setdefault(item.order_id, {"order_id": item.order_id, "updated_at": item.at})
            row["updated_at"] = max(row["updated_at"], item.at)
            for name, value in item.facts.items():
                if value is not None and row.get(name) is None:
                    if name not in ORDER_FACTS:
                        raise ValueError(f"{name} is not an order fact")
                    row[name] = value
        rows = [merged[order_id] for order_id in sorted(merged)]  # one lock order: no deadlock between batches
        facts = tuple(c for c in ORDER_FACTS if any(c in row for row in rows))
        columns = ("order_id", "updated_at", *facts)
        await session.execute(_upsert_order_facts(facts), {c: [row.get(c) for row in rows] for c in columns})


ORDER_FACTS_WRITER = OrderFactsWriter()


class SettlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidates(self, merchant_id: str, end: datetime) -> list[tuple[SettlementOrder, bool, bool]]:
        """The merchant's paid orders up to ``end`` not yet claimed by an approved settlement,
        each with whether it has an open complaint and a cancellation pending."""
        open_complaint = exists().where(
            SettlementComplaint.order_id == SettlementOrder.order_id,
            SettlementComplaint.opened_at.is_not(None),
            SettlementComplaint.closed_at.is_(None),
        )
        pending_cancellation = exists().where(
            CancellationHold.order_id == SettlementOrder.order_id,
            CancellationHold.requested_at.is_not(None),
            CancellationHold.resolved_at.is_(None),
        )
        rows = await self.session.execute(
            select(
                SettlementOrder,
                open_complaint.label("open_complaint"),
                pending_cancellation.label("pending_cancellation"),
            )
            .where(
                SettlementOrder.merchant_id == merchant_id,
                SettlementOrder.settlement_id.is_(None),
                SettlementOrder.paid_at < end,
            )
            .order_by(SettlementOrder.paid_at, SettlementOrder.order_id)
        )
        return [(order, bool(complained), bool(pending)) for order, complained, pending in rows.all()]

    async def outstanding_deposits(self, merchant_id: str, end: datetime) -> list[SettlementDeposit]:
        rows = await self.session.scalars(
            select(SettlementDeposit)
            .where(
                SettlementDeposit.merchant_id == merchant_id,
                SettlementDeposit.settlement_id.is_(None),
                SettlementDeposit.recorded_at < end,
            )
            .order_by(SettlementDeposit.recorded_at, SettlementDeposit.deposit_id)
        )
        return list(rows)

    async def merchants_due(self, end: datetime) -> list[str]:
        orders = select(SettlementOrder.merchant_id).where(
            SettlementOrder.merchant_id.is_not(None),
            SettlementOrder.settlement_id.is_(None),
            SettlementOrder.paid_at < end,
        )
        deposits = select(SettlementDeposit.merchant_id).where(
            SettlementDeposit.settlement_id.is_(None), SettlementDeposit.recorded_at < end
        )
        rows = await self.session.scalars(union(orders, deposits))
        return sorted(rows)

    async def get(self, settlement_id: uuid.UUID, *, lock: bool = False) -> Settlement | None:
        query = select(Settlement).where(Settlement.id == settlement_id)
        return await self.session.scalar(query.with_for_update() if lock else query)

    async def for_month(self, merchant_id: str, month: date) -> Settlement | None:
        return await self.session.scalar(
            select(Settlement).where(Settlement.merchant_id == merchant_id, Settlement.month == month).with_for_update()
        )

    async def lines(self, settlement_id: uuid.UUID) -> list[SettlementLine]:
        rows = await self.session.scalars(
            select(SettlementLine).where(SettlementLine.settlement_id == settlement_id).order_by(SettlementLine.id)
        )
        return list(rows)

    async def replace_lines(self, settlement_id: uuid.UUID, lines: list[PlannedLine]) -> None:
        await self.session.execute(delete(SettlementLine).where(SettlementLine.settlement_id == settlement_id))
        self.session.add_all(
            SettlementLine(
                settlement_id=settlement_id,
                kind=x.kind,
                order_id=x.order_id,
                deposit_id=x.deposit_id,
                reason=x.reason,
                amount_minor=x.amount_minor,
            )
            for x in lines
        )
        await self.session.flush()

    async def claim(self, settlement_id: uuid.UUID, order_ids: list[str], deposit_ids: list[str]) -> bool:
        """Marks the orders and deposits as settled by this settlement; False if any was taken."""
        orders = await self._updated(
            update(SettlementOrder)
            .where(SettlementOrder.order_id.in_(order_ids), SettlementOrder.settlement_id.is_(None))
            .values(settlement_id=settlement_id)
        )
        deposits = await self._updated(
            update(SettlementDeposit)
            .where(SettlementDeposit.deposit_id.in_(deposit_ids), SettlementDeposit.settlement_id.is_(None))
            .values(settlement_id=settlement_id)
        )
        return orders == len(order_ids) and deposits == len(deposit_ids)

    async def _updated(self, statement: Update) -> int:
        """Rows an UPDATE changed. Its result is a CursorResult; execute() is typed for any statement."""
        return cast(CursorResult[Any], await self.session.execute(statement)).rowcount

    async def page(self, page: PageParams, *, merchant_id: str | None, status: str | None) -> list[Settlement]:
        """Newest month first, then merchant (descending)."""
        query = select(Settlement)
        if merchant_id is not None:
            query = query.where(Settlement.merchant_id == merchant_id)
        if status is not None:
            query = query.where(Settlement.status == status)
        query = keyset(query, page, Settlement.month, Settlement.merchant_id, descending=True)
        return list(await self.session.scalars(query))

    async def order(self, order_id: str) -> SettlementOrder | None:
        return await self.session.get(SettlementOrder, order_id, with_for_update=True)

    # -- read models fed by events ------------------------------------------------------------

    async def complaint_opened(
        self, complaint_id: uuid.UUID, *, order_id: str | None, merchant_id: str | None, at: datetime
    ) -> None:
        """ComplaintOpened recorded by tickets ``at`` (its event time: tickets publishes it again
        when a closed complaint is reopened, with the first arrival as ``opened_at``). The
        complaint holds its order from its latest opening until a close later than that:
        ``opened_at`` keeps the latest opening, and an opening later than the close seen clears
        it. Applied in any order and any number of times, the row ends the same (ties go to
        the later arrival: one complaint's events share a partition, so arrive as recorded)."""
        c = COMPLAINTS.c
        statement = pg_insert(COMPLAINTS).values(
            complaint_id=complaint_id, order_id=order_id, merchant_id=merchant_id, opened_at=at, closed_at=None
        )
        new = statement.excluded
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[c.complaint_id],
                set_={
                    "order_id": func.coalesce(c.order_id, new.order_id),
                    "merchant_id": func.coalesce(c.merchant_id, new.merchant_id),
                    "opened_at": func.greatest(c.opened_at, new.opened_at),  # NULLs ignored
                    "closed_at": case((c.closed_at > new.opened_at, c.closed_at), else_=null()),
                },
            )
        )

    async def complaint_closed(self, complaint_id: uuid.UUID, *, order_id: str | None, at: datetime) -> None:
        """ComplaintClosed recorded ``at``: ends the hold unless an opening later than it was seen."""
        c = COMPLAINTS.c
        statement = pg_insert(COMPLAINTS).values(complaint_id=complaint_id, order_id=order_id, closed_at=at)
        new = statement.excluded
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[c.complaint_id],
                set_={
                    "order_id": func.coalesce(c.order_id, new.order_id),
                    "closed_at": case(
                        (
                            or_(c.opened_at.is_(None), new.closed_at >= c.opened_at),
                            func.greatest(c.closed_at, new.closed_at),
                        ),
                        else_=c.closed_at,
                    ),
                },
            )
        )

    async def cancellation_hold(
        self,
        cancellation_id: uuid.UUID,
        *,
        order_id: str,
        requested_at: datetime | None = None,
        resolved_at: datetime | None = None,
        outcome: str | None = None,
    ) -> None:
        """Upserts a hold: the first known value of each fact wins (replays, out-of-order)."""
        facts = {
            k: v
            for k, v in {"requested_at": requested_at, "resolved_at": resolved_at, "outcome": outcome}.items()
            if v is not None
        }
        statement = pg_insert(HOLDS).values(cancellation_id=cancellation_id, order_id=order_id, **facts)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[HOLDS.c.cancellation_id],
                set_={k: func.coalesce(HOLDS.c[k], statement.excluded[k]) for k in facts}
                or {"order_id": HOLDS.c.order_id},
            )
        )

    async def deposit_cancelled(
        self,
        deposit_id: str,
        *,
        merchant_id: str,
        order_id: str | None,
        amount_minor: int,
        currency: str,
        recorded_at: datetime,
    ) -> None:
        await self.session.execute(
            pg_insert(DEPOSITS)
            .values(
                deposit_id=deposit_id,
                merchant_id=merchant_id,
                order_id=order_id,
                amount_minor=amount_minor,
                currency=currency,
                recorded_at=recorded_at,
            )
            .on_conflict_do_nothing(index_elements=[DEPOSITS.c.deposit_id])
        )
