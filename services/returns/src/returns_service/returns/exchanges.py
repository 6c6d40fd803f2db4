"""Exchanges (T2B → T3A1 → T3A2 → T3A4; T3B1) and putting returned goods back in stock (T1B3)."""

from __future__ import annotations

import uuid

from aftersales_chassis import Principal, RuleViolation
from aftersales_events.catalogue import returns as ev

from . import schemas
from .flow import ReturnFlow, event_lines, lines_value, to_out


class ExchangesService(ReturnFlow):
    async def request_exchange(
        self, return_id: uuid.UUID, data: schemas.ExchangeIn, actor: Principal
    ) -> schemas.ReturnOut:
        """T2B → T3A1: an equal-value replacement order placed by hand. A different value is
        T3B1 (refund, and the customer orders again): refused here with the difference."""
        record = await self.repository.get(return_id, for_update=True)
        self.flow.require(record, "request-exchange")
        difference = data.replacement_value_minor - lines_value(record, received=True)
        if difference != 0:
            raise RuleViolation(
                "T3B1.different-value",
                f"the replacement differs in value by {difference}: refund the return and let the customer "
                "order again (T3B1)",
                field="body.replacement_value_minor",
                difference_minor=difference,
            )
        await self.flow.apply(record, "request-exchange", actor, reason=data.replacement_order_id)
        record.replacement_order_id, record.exchange_difference_minor = data.replacement_order_id, 0
        return to_out(record)

    async def ship_exchange(self, return_id: uuid.UUID, actor: Principal) -> schemas.ReturnOut:
        """T3A2: the warehouse reviews and ships the replacement."""
        record = await self.repository.get(return_id, for_update=True)
        self.flow.require(record, "ship-exchange")
        assert record.replacement_order_id is not None
        shipped = ev.ExchangeShipped(
            return_id=record.id,
            order_id=record.order_id,
            replacement_order_id=record.replacement_order_id,
            difference_minor=record.exchange_difference_minor or 0,
            currency=record.currency,
            shipped_at=self.clock.now(),
        )
        await self.flow.apply(record, "ship-exchange", actor, event=shipped)
        return to_out(record)

    async def stock_in(self, return_id: uuid.UUID, actor: Principal) -> schemas.ReturnOut:
        """T1B3 after a refund, T3A4 after an exchange: the returned goods go back in stock."""
        record = await self.repository.get(return_id, for_update=True)
        self.flow.require(record, "stock-in")
        record.stocked_in_at = self.clock.now()
        stocked = ev.ItemsStockedIn(
            return_id=record.id,
            order_id=record.order_id,
            lines=event_lines(record, received=True),
            stocked_in_by=actor.subject,
            stocked_in_at=record.stocked_in_at,
        )
        await self.flow.apply(record, "stock-in", actor, event=stocked)
        return to_out(record)
