"""The case follows the return's outcome (issue 18, C3A / P2A2 → §6): a case that handed its
customer to returns has ended (its 30 wd cycle stopped), and each step returns reports of the
order's return is written on the case's audit trail (`GET /cases/{id}/history`: the §6 step,
what happened, the return's id), so the agent and the customer's view see how it ends. The
state stays `return_requested`: nothing here re-opens a case, or moves one that did not hand
over (a case still being worked on, or closed, ignores returns' events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Principal, Role
from aftersales_events import EventPayload
from aftersales_events.catalogue import returns as ret
from aftersales_sla import SlaClocks

from .flow import CaseFlow
from .state import FOLLOW_RETURN, RETURN_STEPS

RETURNS = Principal("returns", frozenset({Role.service}))
"""The returns service, reporting the step (the audit trail's actor)."""


FOLLOWED: dict[type[EventPayload], tuple[str, Callable[[Any], str]]] = {
    ret.ReturnRequested: ("filed", lambda e: f"return {e.return_id} filed: {e.reason}"),
    ret.ReturnApproved: ("approved", lambda e: f"return {e.return_id} approved by {e.approved_by}"),
    ret.ReturnRejected: ("rejected", lambda e: f"return {e.return_id} rejected: {e.reason}"),
    ret.ReturnCancelled: ("cancelled", lambda e: f"return {e.return_id} withdrawn: {e.reason}"),
    ret.ReturnReceived: ("received", lambda e: f"return {e.return_id} received by the warehouse"),
    ret.RefundApproved: (
        "refund-approved",
        lambda e: f"return {e.return_id}: refund of {e.amount_minor} {e.currency} approved",
    ),
    ret.RefundIssued: ("refund-issued", lambda e: f"return {e.return_id}: {e.amount_minor} {e.currency} paid out"),
    ret.ItemsStockedIn: ("stocked-in", lambda e: f"return {e.return_id}: goods back in stock"),
    ret.ExchangeShipped: (
        "exchange-shipped",
        lambda e: f"return {e.return_id}: replacement {e.replacement_order_id} shipped",
    ),
}
"""Returns' events a handed-over case follows: the outcome (a key of RETURN_STEPS) and its note."""


class ReturnsFollowed(CaseFlow):
    async def record(self, order_id: str, outcome: str, note: str) -> int:
        """Writes ``outcome`` (a key of RETURN_STEPS) on every case of the order that handed over;
        how many. Each event is applied once (the consumer runner's processed row)."""
        if outcome not in RETURN_STEPS:
            raise KeyError(outcome)  # a programming error: every outcome has its §6 step
        cases = await self.repository.handed_to_returns(order_id)
        for record in cases:
            await self.flow(record).apply(record, FOLLOW_RETURN, RETURNS, outcome=outcome, reason=note)
        return len(cases)


async def follow_return(session: AsyncSession, resources: Any, order_id: str, outcome: str, note: str) -> int:
    """Entry point of the consumer: the use case on the app's clock and calendar."""
    now = resources.clock.now()
    calendar = await resources.calendar_provider.current(session)
    sla = SlaClocks(session, calendar, resources.sla_policies, now)
    return await ReturnsFollowed(session, resources.clock, sla).record(order_id, outcome, note)


async def follow_return_event(session: AsyncSession, resources: Any, event: EventPayload) -> int:
    """One of FOLLOWED's events, written on the cases of its order. A refund without a return
    (a cancellation's or a goodwill refund) is not a return's outcome: nothing to follow."""
    if getattr(event, "return_id", None) is None:
        return 0
    outcome, note = FOLLOWED[type(event)]
    return await follow_return(session, resources, event.order_id, outcome, note(event))  # type: ignore[attr-defined]
