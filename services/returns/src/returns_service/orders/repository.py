"""Queries of the order read model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aftersales_chassis import NotFound

from .models import Order, OrderFactReceipt

PLACE = text("""
WITH placed AS (
    INSERT INTO orders (order_id, merchant_id, customer_id, customer_name, customer_phone, address, currency,
                        total_minor, paid_minor, status, placed_at)
    VALUES (:order_id, :merchant_id, :customer_id, :customer_name, :customer_phone, :address, :currency,
            :total_minor, :paid_minor, :status, :placed_at)
    ON CONFLICT (order_id) DO NOTHING
    RETURNING order_id
)
INSERT INTO order_lines (order_id, sku, title, quantity, unit_price_minor)
SELECT placed.order_id, line.sku, line.title, line.quantity, line.unit_price_minor
FROM placed, unnest(CAST(:sku AS text[]), CAST(:title AS text[]), CAST(:quantity AS integer[]),
                    CAST(:unit_price_minor AS bigint[])) AS line (sku, title, quantity, unit_price_minor)
RETURNING sku
""")
"""A new order and its lines, or nothing when the order exists: the lines insert reads the
order insert's RETURNING, which is empty on a conflict."""


_RECEIPTS: Table = OrderFactReceipt.__table__  # type: ignore[assignment]
CLAIM_FACT = (
    pg_insert(_RECEIPTS)
    .values({name: bindparam(name) for name in ("shop_event_id", "order_id", "kind", "received_at")})
    .on_conflict_do_nothing()
    .returning(_RECEIPTS.c.shop_event_id)
)
"""A fact's receipt, or nothing when it was taken in before. Built once, on the table (not
the ORM entity): the statement is the same for every fact, only its parameters change."""


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_fact(self, receipt: OrderFactReceipt) -> bool:
        """Records the fact's id; False when it was taken in before (a resend)."""
        values = {name: getattr(receipt, name) for name in ("shop_event_id", "order_id", "kind", "received_at")}
        return await self.session.scalar(CLAIM_FACT, values) is not None

    async def place(self, order: dict[str, Any], lines: list[dict[str, Any]]) -> bool:
        """Inserts a new order and its lines in one statement (one round trip, compiled once);
        False, and nothing written, when the order is known already (its placed fact came
        before under another shop event id, or a concurrent one won)."""
        columns = {name: [line[name] for line in lines] for name in ("sku", "title", "quantity", "unit_price_minor")}
        return bool((await self.session.execute(PLACE, {**order, **columns})).first())

    async def find(self, order_id: str, *, for_update: bool = False, lines: bool = True) -> Order | None:
        """The order, with its lines unless ``lines`` is False (a second round trip)."""
        query = select(Order).where(Order.order_id == order_id)
        if lines:
            query = query.options(selectinload(Order.lines))
        if for_update:
            query = query.with_for_update(of=Order)
        found: Order | None = await self.session.scalar(query)
        return found

    async def get(self, order_id: str, *, for_update: bool = False) -> Order:
        found = await self.find(order_id, for_update=for_update)
        if found is None:
            raise NotFound(f"order {order_id} is not known to the returns service", resource="order", id=order_id)
        return found
