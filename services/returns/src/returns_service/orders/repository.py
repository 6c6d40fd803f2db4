"""Queries of the order read model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, column, select, true, values
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aftersales_chassis import NotFound

from .models import Order, OrderFactReceipt, OrderLine


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_fact(self, receipt: OrderFactReceipt) -> bool:
        """Records the fact's id; False when it was taken in before (a resend)."""
        inserted = await self.session.scalar(
            pg_insert(OrderFactReceipt)
            .values(
                shop_event_id=receipt.shop_event_id,
                order_id=receipt.order_id,
                kind=receipt.kind,
                received_at=receipt.received_at,
            )
            .on_conflict_do_nothing()
            .returning(OrderFactReceipt.shop_event_id)
        )
        return inserted is not None

    async def place(self, order: dict[str, Any], lines: list[dict[str, Any]]) -> bool:
        """Inserts a new order and its lines in one statement (one round trip); False, and
        nothing written, when the order is known already (its placed fact came before under
        another shop event id, or a concurrent one won)."""
        placed = (
            pg_insert(Order)
            .values(**order)
            .on_conflict_do_nothing(index_elements=[Order.order_id])
            .returning(Order.order_id)
            .cte("placed")
        )
        columns = ("sku", "title", "quantity", "unit_price_minor")
        given = values(
            column("sku", String), column("title", Text), column("quantity", Integer),
            column("unit_price_minor", BigInteger), name="given",
        ).data([tuple(line[name] for name in columns) for line in lines])  # fmt: skip
        statement = (
            pg_insert(OrderLine)
            .from_select(
                ["order_id", *columns],
                select(
                    placed.c.order_id, given.c.sku, given.c.title, given.c.quantity, given.c.unit_price_minor
                ).select_from(placed.join(given, true())),
            )
            .returning(OrderLine.sku)
            .add_cte(placed)
        )
        return bool((await self.session.execute(statement)).first())

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
