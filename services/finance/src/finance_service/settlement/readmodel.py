"""Upserts of finance's own read models (orders, complaints, cancelled deposits) from
events: replaying an event, or receiving facts out of order, leaves the same rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import SettlementComplaint, SettlementDeposit, SettlementOrder

ORDERS = SettlementOrder.__table__
COMPLAINTS = SettlementComplaint.__table__
DEPOSITS = SettlementDeposit.__table__


class SettlementReadModel:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def order_fact(self, order_id: str, at: datetime, **facts: Any) -> None:
        """First known value of each fact wins (facts do not change; replays are no-ops)."""
        facts = {k: v for k, v in facts.items() if v is not None}
        statement = pg_insert(ORDERS).values(order_id=order_id, updated_at=at, **facts)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[ORDERS.c.order_id],
                set_={
                    "updated_at": func.greatest(ORDERS.c.updated_at, statement.excluded.updated_at),
                    **{k: func.coalesce(ORDERS.c[k], statement.excluded[k]) for k in facts},
                },
            )
        )

    async def complaint(
        self,
        complaint_id: uuid.UUID,
        *,
        order_id: str | None,
        merchant_id: str | None = None,
        opened_at: datetime | None = None,
        closed_at: datetime | None = None,
    ) -> None:
        facts = {
            k: v
            for k, v in {
                "order_id": order_id,
                "merchant_id": merchant_id,
                "opened_at": opened_at,
                "closed_at": closed_at,
            }.items()
            if v is not None
        }
        statement = pg_insert(COMPLAINTS).values(complaint_id=complaint_id, **facts)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[COMPLAINTS.c.complaint_id],
                set_={k: func.coalesce(COMPLAINTS.c[k], statement.excluded[k]) for k in facts},
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
