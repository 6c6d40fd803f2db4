"""Use cases driven by reviews' events (PROCESSES.md §5): the 24 h call as a W1 task, withdrawn
when the case ends first (W5, or E3 flagged), and the customer flag (E3) on the customer's
call tasks. Only flush: the consumer runner commits with the processed row."""

from __future__ import annotations

import logging

from aftersales_chassis import Page, PageParams, page_of
from aftersales_events.catalogue import reviews as ev

from ..callbacks.models import CallbackTask
from ..callbacks.schemas import normalise_phone
from ..callbacks.service import CallbackService
from ..orders.models import KnownOrder
from ..orders.repository import OrderRepository
from . import schemas
from .models import ReviewCallAwaitingPhone, ReviewCaseClosure
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
        do-not-call register, or no number is known yet (the event's, else the order's): then
        the request is parked and opens when the order's number arrives."""
        if await self.repository.closure(event.case_id) is not None:
            return None
        phone = _phone(event.phone)
        if phone is None and event.order_id is not None:
            order = await self.orders.get(event.order_id)
            phone = order.phone if order is not None else None
        if phone is None:
            log.warning("review case %s: no phone known yet, W1 call parked until the order's number", event.case_id)
            await self.repository.park(
                ReviewCallAwaitingPhone(
                    case_id=event.case_id, order_id=event.order_id, customer_id=event.customer_id,
                    reviewed_at=event.reviewed_at, due_at=event.due_at, parked_at=self.clock.now(),
                )
            )  # fmt: skip
            return None
        # Reviews owns the W1 clock: the task (and its clock) is due when it says.
        return await self.callbacks.review_call(
            str(event.case_id), phone, event.reviewed_at, customer_id=event.customer_id, order_id=event.order_id,
            due_at=event.due_at,
        )  # fmt: skip

    async def order_phone_known(self, order: KnownOrder) -> int:
        """The order's number arrived: every W1 call parked for it opens now, still due when
        reviews said. Returns how many opened (a do-not-call number opens none and says so)."""
        if order.phone is None:
            return 0
        opened = 0
        for waiting in await self.repository.waiting_for_order(order.order_id):
            task = await self.callbacks.review_call(
                str(waiting.case_id), order.phone, waiting.reviewed_at, customer_id=waiting.customer_id,
                order_id=order.order_id, due_at=waiting.due_at,
            )  # fmt: skip
            await self.repository.resolve(waiting.case_id, "opened" if task else "do_not_call", self.clock.now())
            opened += task is not None
        return opened

    async def awaiting_phone(self, page: PageParams) -> Page[schemas.ReviewCallAwaitingPhoneOut]:
        rows = await self.repository.waiting_page(page)
        return page_of(
            rows, page, key=lambda r: (r.due_at, r.case_id), item=schemas.ReviewCallAwaitingPhoneOut.model_validate
        )

    async def closed(self, event: ev.ReviewCaseClosed) -> bool:
        """W5 / not amended / E3: the case ended, its open call is withdrawn; remembered, so that
        a request delivered after this opens nothing. True when a task was withdrawn."""
        closure = ReviewCaseClosure(
            case_id=event.case_id, outcome=event.outcome, closed_at=event.closed_at, recorded_at=self.clock.now()
        )
        await self.repository.add_closure(closure)
        await self.repository.resolve(event.case_id, "closed", self.clock.now())  # a parked call no longer waits
        return await self.callbacks.review_case_closed(str(event.case_id), event.outcome)

    async def flagged(self, event: ev.CustomerFlagged) -> int:
        """E3: kept per customer (once per case); their open tasks show it now, new ones when opened."""
        return await self.callbacks.flag_customer(
            f"review-case:{event.case_id}", event.customer_id, _phone(event.phone), flag_text(event),
            flagged_at=event.flagged_at,
        )  # fmt: skip
