"""Use cases of pre-sale inquiries (PROCESSES.md §1). Methods only flush: the entry point commits.

Conversion works whichever arrives first: an inquiry recorded looks for its customer's first
order placed in its window (the order read model), and an order placed converts its customer's
unconverted inquiries whose window holds it. Both take the customer's advisory lock first, so
an inquiry and an order arriving at the same moment cannot miss each other."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, Page, PageParams, Principal, Role, RuleViolation, page_of
from aftersales_events.catalogue import orders
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..settings import TicketsSettings
from . import schemas
from .models import Inquiry, InquiryChannel, InquiryState
from .repository import UNCONVERTED, InquiryRepository
from .state import INQUIRY_FLOW, SIDE_EFFECTS

SYSTEM = Principal("tickets", frozenset({Role.service}))
"""The service itself, converting an inquiry when its customer's order is placed."""


def conversion_rule(days: int) -> schemas.ConversionRuleOut:
    return schemas.ConversionRuleOut(
        window_days=days,
        rule=f"an inquiry converts when its customer places an order (OrderPlaced) between the moment they asked "
        f"and {days} days later; the first such order is the inquiry's; whichever of the two tickets learns "
        "of first",
    )


def to_out(record: Inquiry) -> schemas.InquiryOut:
    out = schemas.InquiryOut.model_validate(record)
    out.allowed_actions = [a for a in INQUIRY_FLOW.allowed_actions(record.state) if a not in SIDE_EFFECTS]
    return out


@dataclass
class Asked:
    """An inquiry as the gateway or an agent brings it."""

    channel: InquiryChannel
    customer_id: str
    customer_handle: str
    products: list[str]
    question: str
    agent: str
    asked_at: datetime
    first_reply_at: datetime | None = None
    channel_message_id: str | None = None


async def convert_on_order(session: AsyncSession, resources: Any, event: orders.OrderPlaced) -> int:
    """An order placed converts its customer's inquiries whose window holds it (called by the
    thin handler in consumers.py after the order read model took the fact). How many converted."""
    now = resources.clock.now()
    calendar = await resources.calendar_provider.current(session)
    sla = SlaClocks(session, calendar, resources.sla_policies, now)
    service = InquiryService(session, resources.clock, sla, resources.settings)
    return await service.order_placed(event)


class InquiryService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks, settings: TicketsSettings) -> None:
        self.session = session
        self.clock = clock
        self.settings = settings
        self.repository = InquiryRepository(session)
        self.flow = INQUIRY_FLOW.bind(session, clock, sla)

    # -- A1 --------------------------------------------------------------------------------------

    async def record(self, asked: Asked, actor: Principal) -> tuple[Inquiry, bool]:
        """A1: recorded once per chat message (a resend answers the first, False); converted at
        once when the customer's order within the window is already known."""
        keys = [f"inquiry-customer:{asked.customer_id}"]
        if asked.channel_message_id is not None:
            keys.append(f"inquiry-intake:{asked.channel}:{asked.channel_message_id}")
            await self.repository.lock(*keys)
            existing = await self.repository.by_channel_message(asked.channel, asked.channel_message_id)
            if existing is not None:
                return existing, False
        else:
            await self.repository.lock(*keys)
        now = self.clock.now()
        asked_at = asked.asked_at.astimezone(UTC)
        if asked.first_reply_at is not None and asked.first_reply_at < asked.asked_at:
            raise RuleViolation(
                "A3.reply-after-question",
                "the first reply cannot come before the question",
                field="body.first_reply_at",
            )
        days = self.settings.inquiry_conversion_days
        record = Inquiry(
            id=uuid.uuid4(),
            state=InquiryState.open,
            channel=asked.channel,
            channel_message_id=asked.channel_message_id,
            customer_id=asked.customer_id,
            customer_handle=asked.customer_handle,
            products=list(dict.fromkeys(asked.products)),
            question=asked.question,
            agent=asked.agent,
            asked_at=asked_at,
            first_reply_at=asked.first_reply_at.astimezone(UTC) if asked.first_reply_at else None,
            conversion_window_days=days,
            converts_until=asked_at + timedelta(days=days),
            recorded_by=actor.subject,
            recorded_at=now,
            updated_at=now,
        )
        await self.flow.create(record, actor, reason=asked.question[:200])
        await self.repository.add(record)
        order = await self.repository.first_order(record.customer_id, record.asked_at, record.converts_until)
        if order is not None and order.placed_at is not None:
            await self._convert(record, order.order_id, order.placed_at, order.total_minor)
        return record, True

    async def order_placed(self, event: orders.OrderPlaced) -> int:
        await self.repository.lock(f"inquiry-customer:{event.customer_id}")
        placed_at = event.occurred_at.astimezone(UTC)
        converted = 0
        for record in await self.repository.unconverted_at(event.customer_id, placed_at):
            await self._convert(record, event.order_id, placed_at, event.total_minor)
            converted += 1
        return converted

    async def _convert(self, record: Inquiry, order_id: str, placed_at: datetime, total_minor: int | None) -> None:
        record.converted_order_id, record.converted_at, record.converted_order_minor = order_id, placed_at, total_minor
        reason = f"order {order_id} placed {placed_at.isoformat()} within {record.conversion_window_days} days"
        await self.flow.apply(record, "convert", SYSTEM, reason=reason)

    # -- replies, A3, failure, follow-up -----------------------------------------------------------

    async def reply(self, inquiry_id: uuid.UUID, data: schemas.ReplyIn, actor: Principal) -> schemas.InquiryOut:
        """The agent's first reply (first wins: a later one changes nothing)."""
        record = await self.repository.get(inquiry_id, for_update=True)
        at = (data.at or self.clock.now()).astimezone(UTC)
        if at < record.asked_at:
            raise RuleViolation("A3.reply-after-question", "the first reply cannot come before the question",
                                field="body.at")  # fmt: skip
        if record.first_reply_at is None:
            record.first_reply_at = at
            await self.flow.apply(record, "reply", actor, reason=f"first reply {at.isoformat()}")
        return to_out(record)

    async def ask_detail(
        self, inquiry_id: uuid.UUID, data: schemas.DetailQuestionIn, actor: Principal
    ) -> schemas.InquiryOut:
        """A3: a detail not on the product page: its 24 h clock starts."""
        record = await self.repository.get(inquiry_id, for_update=True)
        if record.detail_question is not None and record.detail_answer is None:
            raise Conflict(
                "the inquiry's detail question is not answered yet", rule="A3.one-question-at-a-time",
                detail_asked_at=record.detail_asked_at.isoformat() if record.detail_asked_at else None,
            )  # fmt: skip
        record.detail_question, record.detail_asked_at = data.question, self.clock.now()
        record.detail_promised_via = data.promised_via
        record.detail_answer = record.detail_answered_by = record.customer_told_via = None
        record.customer_told_at = None
        await self.flow.apply(record, "ask_detail", actor, reason=data.question[:200])
        return to_out(record)

    async def answer_detail(
        self, inquiry_id: uuid.UUID, data: schemas.DetailAnswerIn, actor: Principal
    ) -> schemas.InquiryOut:
        """A3: the answer, and when and how the customer was told: the clock stops (late: breached)."""
        record = await self.repository.get(inquiry_id, for_update=True)
        if record.detail_question is None or record.detail_answer is not None:
            raise Conflict("the inquiry has no detail question waiting for an answer", rule="A3.question-pending")
        told_at = (data.told_at or self.clock.now()).astimezone(UTC)
        assert record.detail_asked_at is not None  # set with the question
        if told_at < record.detail_asked_at:
            raise RuleViolation("A3.told-after-question", "the customer cannot be told before the question",
                                field="body.told_at")  # fmt: skip
        record.detail_answer, record.detail_answered_by = data.answer, actor.subject
        record.customer_told_at, record.customer_told_via = told_at, data.told_via
        await self.flow.apply(record, "answer_detail", actor, reason=f"told via {data.told_via}")
        return to_out(record)

    async def fail(self, inquiry_id: uuid.UUID, data: schemas.FailIn, actor: Principal) -> schemas.InquiryOut:
        """The inquiry did not convert: the reason is kept with the record (seed 004)."""
        record = await self.repository.get(inquiry_id, for_update=True)
        self.flow.require(record, "fail")
        record.failure_reason, record.failed_by, record.failed_at = data.reason, actor.subject, self.clock.now()
        await self.flow.apply(record, "fail", actor, reason=data.reason)
        return to_out(record)

    async def follow_up(self, inquiry_id: uuid.UUID, data: schemas.FollowUpIn, actor: Principal) -> schemas.InquiryOut:
        """Seed 002: an unconverted inquiry followed up; what the agent found."""
        record = await self.repository.get(inquiry_id, for_update=True)
        self.flow.require(record, "follow_up")
        record.followed_up_at, record.followed_up_by = self.clock.now(), actor.subject
        record.follow_up_outcome, record.follow_up_note = data.outcome, data.note
        await self.flow.apply(record, "follow_up", actor, reason=f"{data.outcome}: {data.note}"[:500])
        return to_out(record)

    # -- reading -------------------------------------------------------------------------------------

    async def get(self, inquiry_id: uuid.UUID) -> schemas.InquiryOut:
        return to_out(await self.repository.get(inquiry_id))

    async def history(self, inquiry_id: uuid.UUID) -> list[TransitionOut]:
        await self.repository.get(inquiry_id)
        return await self.flow.history(inquiry_id)

    async def list(self, page: PageParams, *, newest_first: bool = False, **filters: Any) -> Page[schemas.InquiryOut]:
        rows = await self.repository.page(page, newest_first=newest_first, filters=filters)
        return page_of(rows, page, key=lambda r: (r.asked_at, r.id), item=to_out)

    async def follow_up_queue(
        self, page: PageParams, *, newest_first: bool, followed_up: bool | None, **filters: Any
    ) -> Page[schemas.InquiryOut]:
        """Seed 002: inquiries that did not convert (open or failed) and whose window has closed."""
        state = filters.pop("state", None)
        filters["state"] = (state,) if state is not None else UNCONVERTED
        rows = await self.repository.page(
            page,
            newest_first=newest_first,
            filters=filters,
            window_closed_before=self.clock.now(),
            followed_up=followed_up,
        )
        return page_of(rows, page, key=lambda r: (r.asked_at, r.id), item=to_out)
