"""Use cases of customer flags (E3). Only flush: the consumer runner commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock
from aftersales_events.catalogue.reviews import CustomerFlagged

from .repository import FlagRepository
from .schemas import CustomerFlagOut


class Flaggable(Protocol):
    """An output (a complaint, a case) that shows its customer's flags."""

    @property
    def customer_id(self) -> str | None: ...  # read-only here: a case's is always set, a complaint's may not be

    customer_flags: list[CustomerFlagOut]


class FlagService:
    def __init__(self, session: AsyncSession) -> None:
        self.repository = FlagRepository(session)

    async def keep(self, event: CustomerFlagged, clock: Clock) -> bool:
        """E3 from reviews: kept once per review case (a resend, or a replay, changes nothing)."""
        return await self.repository.add(
            {
                "case_id": event.case_id, "customer_id": event.customer_id, "report_id": event.report_id,
                "marketplace": event.marketplace, "review_id": event.review_id, "order_id": event.order_id,
                "reason": event.reason, "note": event.note, "flagged_by": event.flagged_by,
                "flagged_at": event.flagged_at, "recorded_at": clock.now(),
            }
        )  # fmt: skip

    async def show_on(self, outputs: Sequence[Flaggable]) -> None:
        """Sets each output's ``customer_flags`` to its customer's flags, newest first."""
        flags = await self.repository.of_customers([o.customer_id for o in outputs if o.customer_id])
        for output in outputs:
            output.customer_flags = [
                CustomerFlagOut.model_validate(f) for f in flags if f.customer_id == output.customer_id
            ]
