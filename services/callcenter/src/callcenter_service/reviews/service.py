"""Use cases driven by reviews' events (PROCESSES.md §5): the 24 h call as a W1 task, withdrawn
when the case ends first (W5, or E3 flagged), and the customer flag (E3) on the customer's
call tasks. Only flush: the consumer runner commits with the processed row."""

from __future__ import annotations

import logging

from aftersales_events.catalogue import reviews as ev

from ..callbacks.models import CallbackTask
from ..callbacks.schemas import normalise_phone
from ..callbacks.service import CallbackService
from ..orders.repository import OrderRepository
from .models import ReviewCaseClosure
from .repository import ReviewCallRepository

log = logging.getLogger(__name__)


def _phone(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalise_phone(raw)
    except ValueError:
        return None


def flag_text(event: ev.CustomerFlagged) -> str:
    """What an agent reads on the task: why, which review, when and by whom (E3)."""
    note = f" ({event.note})" if event.note else ""
    return (
        f"E3 malicious review: {event.reason}{note}; {event.marketplace} review {event.review_id}, "
        f"case {event.case_id}; flagged {event.flagged_at.isoformat()} by {event.flagged_by}"
    )


class ReviewCallService:
    def __init__(self, callbacks: CallbackService) -> None:
        self.callbacks = callbacks
        self.clock = callbacks.clock
        self.repository = ReviewCallRepository(callbacks.repository.session)
        self.orders = OrderRepository(callbacks.repository.session)

    async def requested(self, event: ev.ReviewCallRequested) -> CallbackTask | None:
        """W1: one call task per case, due when reviews says (24 h from the review's own time).

        None when the case already ended (its closure arrived first), the phone is on the
        do-not-call register, or no number is known (the event's, else the order's)."""
        if await self.repository.closure(event.case_id) is not None:
            return None
        phone = _phone(event.phone)
        if phone is None and event.order_id is not None:
            order = await self.orders.get(event.order_id)
            phone = order.phone if order is not None else None
        if phone is None:
            log.warning("review case %s: no phone known, no W1 call task", event.case_id)
            return None
        # Reviews owns the W1 clock: the task (and its clock) is due when it says.
        return await self.callbacks.review_call(
            str(event.case_id), phone, event.reviewed_at, customer_id=event.customer_id, order_id=event.order_id,
            due_at=event.due_at,
        )  # fmt: skip

    async def closed(self, event: ev.ReviewCaseClosed) -> bool:
        """W5 / not amended / E3: the case ended, its open call is withdrawn; remembered, so that
        a request delivered after this opens nothing. True when a task was withdrawn."""
        closure = ReviewCaseClosure(
            case_id=event.case_id, outcome=event.outcome, closed_at=event.closed_at, recorded_at=self.clock.now()
        )
        await self.repository.add_closure(closure)
        return await self.callbacks.review_case_closed(str(event.case_id), event.outcome)

    async def flagged(self, event: ev.CustomerFlagged) -> int:
        """E3: kept per customer (once per case); their open tasks show it now, new ones when opened."""
        return await self.callbacks.flag_customer(
            f"review-case:{event.case_id}", event.customer_id, _phone(event.phone), flag_text(event),
            flagged_at=event.flagged_at,
        )  # fmt: skip
