"""Every query of after-sale cases."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset
from aftersales_sla import sla_clocks
from aftersales_workflow import workflow_transitions

from .models import AbnormalRefund, Case, CaseAttachment, CaseState, OrderCap
from .state import FOLLOW_RETURN


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: Any) -> None:
        self.session.add(record)
        await self.session.flush()

    async def get(self, case_id: uuid.UUID, *, for_update: bool = False) -> Case:
        query = select(Case).where(Case.id == case_id)
        if for_update:
            query = query.with_for_update()  # serialises actions on one case, and its events
        record = await self.session.scalar(query)
        if record is None:
            raise NotFound(f"case {case_id} does not exist", resource="case", id=str(case_id))
        return record

    async def page(
        self,
        page: PageParams,
        *,
        kind: str | None = None,
        state: str | None = None,
        order_id: str | None = None,
        customer_id: str | None = None,
    ) -> list[Case]:
        query = select(Case)
        for column, value in ((Case.kind, kind), (Case.state, state), (Case.order_id, order_id)):
            if value:
                query = query.where(column == value)
        if customer_id is not None:
            query = query.where(Case.customer_id == customer_id)
        return list(await self.session.scalars(keyset(query, page, Case.created_at, Case.id)))

    async def handed_to_returns(self, order_id: str) -> list[Case]:
        """The order's cases that handed the customer to returns (C3A / P2A2), locked, oldest first."""
        query = (
            select(Case)
            .where(Case.order_id == order_id, Case.state == CaseState.return_requested)
            .order_by(Case.created_at, Case.id)
            .with_for_update()
        )
        return list(await self.session.scalars(query))

    async def returns_followed(self, case_ids: Sequence[uuid.UUID]) -> Sequence[Row[Any, Any, Any, Any]]:
        """The latest step of the return each case handed over (its last ``follow-return`` row)."""
        t = workflow_transitions
        rows = await self.session.execute(
            select(t.c.aggregate_id, t.c.step, t.c.reason, t.c.at)
            .ext(distinct_on(t.c.aggregate_id))
            .where(
                t.c.aggregate_type == "case",
                t.c.action == FOLLOW_RETURN,
                t.c.aggregate_id.in_([str(i) for i in case_ids]),
            )
            .order_by(t.c.aggregate_id, t.c.id.desc())
        )
        return rows.all()

    async def open_clocks(self, case_ids: Sequence[uuid.UUID]) -> Sequence[Row[Any, Any, Any]]:
        """The cases' running or paused clocks (the customer's view shows their due times)."""
        c = sla_clocks.c
        rows = await self.session.execute(
            select(c.aggregate_id, c.step, c.due_at).where(
                c.aggregate_id.in_([str(i) for i in case_ids]), c.state != "stopped"
            )
        )
        return rows.all()

    # -- C3B1 / C3B2: abnormal refunds and the per-order cap ----------------------------------

    async def ensure_order_cap(self, order_id: str, currency: str, exchange_cost_minor: int, at: datetime) -> None:
        """The order's cap row, made by its first abnormal refund (a concurrent first one keeps it)."""
        await self.session.execute(
            insert(OrderCap)
            .values(
                order_id=order_id,
                currency=currency,
                exchange_cost_minor=exchange_cost_minor,
                granted_minor=0,
                updated_at=at,
            )
            .on_conflict_do_nothing(index_elements=[OrderCap.order_id])
        )

    async def order_cap(self, order_id: str, *, for_update: bool = False) -> OrderCap | None:
        query = select(OrderCap).where(OrderCap.order_id == order_id)
        if for_update:
            # §10: a grant holds the order's row until it commits, so a second grant of the
            # same order waits and then reads what the first one added.
            query = query.with_for_update()
        found: OrderCap | None = await self.session.scalar(query.execution_options(populate_existing=True))
        return found

    async def abnormal_refund(self, case_id: uuid.UUID, refund_id: uuid.UUID) -> AbnormalRefund:
        found = await self.session.scalar(
            select(AbnormalRefund).where(AbnormalRefund.id == refund_id, AbnormalRefund.case_id == case_id)
        )
        if found is None:
            raise NotFound(
                f"abnormal refund {refund_id} of case {case_id} does not exist",
                resource="abnormal refund",
                id=str(refund_id),
            )
        return found

    async def pending_abnormal_refund(self, case_id: uuid.UUID) -> AbnormalRefund | None:
        found: AbnormalRefund | None = await self.session.scalar(
            select(AbnormalRefund).where(AbnormalRefund.case_id == case_id, AbnormalRefund.state == "requested")
        )
        return found

    async def abnormal_refunds(self, case_id: uuid.UUID) -> list[AbnormalRefund]:
        return list(
            await self.session.scalars(
                select(AbnormalRefund)
                .where(AbnormalRefund.case_id == case_id)
                .order_by(AbnormalRefund.requested_at, AbnormalRefund.id)
            )
        )

    # -- evidence ------------------------------------------------------------------------------

    async def attachments(self, case_id: uuid.UUID) -> list[CaseAttachment]:
        return list(
            await self.session.scalars(
                select(CaseAttachment)
                .where(CaseAttachment.case_id == case_id)
                .order_by(CaseAttachment.uploaded_at, CaseAttachment.id)
            )
        )

    async def attachment(self, case_id: uuid.UUID, attachment_id: uuid.UUID) -> CaseAttachment:
        found = await self.session.scalar(
            select(CaseAttachment).where(CaseAttachment.id == attachment_id, CaseAttachment.case_id == case_id)
        )
        if found is None:
            raise NotFound(f"attachment {attachment_id} does not exist", resource="attachment", id=str(attachment_id))
        return found

    async def has_evidence(self, case_id: uuid.UUID) -> bool:
        found = await self.session.scalar(select(CaseAttachment.id).where(CaseAttachment.case_id == case_id).limit(1))
        return found is not None
