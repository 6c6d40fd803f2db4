"""Use cases of complaints (PROCESSES.md §4). Methods only flush: the entry point commits."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Forbidden, NotFound, Page, PageParams, Principal, Role, page_of
from aftersales_events import record_event
from aftersales_events.catalogue.sla import SlaBreachedBase
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..flags.service import FlagService
from ..settings import TicketsSettings
from . import schemas
from .filters import ComplaintFilters
from .intake import Arrival, ComplaintIntake
from .models import Complaint, ComplaintAttachment, ComplaintMessage, ComplaintState
from .new_rows import ComplaintRecord
from .records import closed_event, major_event, new_message, opened_event
from .repository import ComplaintRepository
from .state import COMPLAINT_FLOW, SIDE_EFFECTS

SYSTEM = Principal("tickets", frozenset({Role.service}))
"""The service itself, acting on a clock that ran out (§4.5's fallback)."""


async def on_clock_breached(session: AsyncSession, resources: Any, event: SlaBreachedBase) -> None:
    """The fallback of §4.5 as a clock: its breach, fired once by the SLA scheduler and consumed
    here, reassigns the complaint. ``resources`` is the app's state (clock, settings, calendar)."""
    if event.step != "§4.5" or event.aggregate_type != COMPLAINT_FLOW.aggregate:
        return
    now = resources.clock.now()
    calendar = await resources.calendar_provider.current(session)
    sla = SlaClocks(session, calendar, resources.sla_policies, now)
    await ComplaintService(session, resources.clock, sla, resources.settings).fall_back(uuid.UUID(event.aggregate_id))


def to_out(record: ComplaintRecord) -> schemas.ComplaintOut:
    out = schemas.ComplaintOut.model_validate(record)
    out.allowed_actions = [a for a in COMPLAINT_FLOW.allowed_actions(record.state) if a not in SIDE_EFFECTS]
    return out


def _is_staff(actor: Principal) -> bool:
    return any(actor.has(role) for role in (Role.agent, Role.supervisor, Role.warehouse, Role.finance, Role.service))


class ComplaintService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks, settings: TicketsSettings) -> None:
        self.session = session
        self.clock = clock
        self.settings = settings
        self.repository = ComplaintRepository(session)
        self.flow = COMPLAINT_FLOW.bind(session, clock, sla)
        self.intake = ComplaintIntake(clock, settings, self.repository, self.flow)

    async def customer_message(self, record: Complaint, arrival: Arrival, actor: Principal) -> None:
        """The customer wrote again in a thread we know (an e-mail reply): the message joins the
        complaint, and one that was waiting on the customer is worked on again."""
        await self._keep(*new_message(record, "in", arrival.sender.handle or actor.subject, arrival.body,
                                      at=arrival.received_at, email_message_id=arrival.email_message_id,
                                      attachments=arrival.attachments))  # fmt: skip
        if record.state == ComplaintState.waiting:
            await self._resume(record, actor, "the customer replied")
        else:
            await self.flow.apply(record, "customer_message", actor, reason=arrival.subject or None)

    async def _keep(self, message: ComplaintMessage, attachments: list[ComplaintAttachment]) -> None:
        """A message of the complaint (:func:`.records.new_message`) and its attachments' rows,
        flushed in that order: no relationship tells the ORM that they reference the message."""
        await self.repository.add(message)
        if attachments:
            await self.repository.add(*attachments)

    async def _raise_major(self, record: Complaint, actor: Principal, rule: str) -> None:
        now = self.clock.now()
        await record_event(self.session, major_event(record, actor, rule, now), subject=str(record.id), at=now)

    # -- working on it ----------------------------------------------------------------------------

    async def assign(self, record_id: uuid.UUID, data: schemas.AssignIn, actor: Principal) -> schemas.ComplaintOut:
        record = await self.repository.get(record_id, for_update=True)
        self.flow.require(record, "assign")
        if record.state == ComplaintState.routed and not actor.has(Role.supervisor):
            raise Forbidden(
                f"a phone complaint waits for {record.routed_to} until its §4.5 clock runs out; "
                "they accept it, or a supervisor assigns it",
                rule="§4.5.useronly",
            )
        owner = data.owner or actor.subject
        await self.flow.apply(record, "assign", actor, reason=f"owner: {owner}")
        record.owner, record.routed_to = owner, None
        return to_out(record)

    async def accept(self, record_id: uuid.UUID, actor: Principal) -> schemas.ComplaintOut:
        """§4.5: the dedicated person takes the phone complaint routed to them."""
        record = await self.repository.get(record_id, for_update=True)
        self.flow.require(record, "accept")
        if actor.subject != record.routed_to:
            raise Forbidden(f"the complaint is routed to {record.routed_to}", rule="§4.5.routed-to")
        await self.flow.apply(record, "accept", actor, reason=f"owner: {actor.subject}")
        record.owner, record.routed_to = actor.subject, None
        return to_out(record)

    async def fall_back(self, record_id: uuid.UUID) -> None:
        """§4.5 ran out with nobody accepting: the complaint goes to anyone (USERONLY → ANYONE).
        A complaint already taken or closed is left as it is (a late or repeated breach)."""
        record = await self.repository.get(record_id, for_update=True)
        if record.state != ComplaintState.routed:
            return
        await self.flow.apply(record, "fall_back", SYSTEM, reason=f"{record.routed_to} did not accept it in time")
        record.routed_to = None

    async def reply(self, record_id: uuid.UUID, data: schemas.ReplyIn, actor: Principal) -> schemas.ComplaintOut:
        record = await self.repository.get(record_id, for_update=True)
        self.flow.require(record, "reply")
        await self._keep(*new_message(record, "out", actor.subject, data.body, at=self.clock.now()))
        await self.flow.apply(record, "reply", actor)
        record.first_replied_at = record.first_replied_at or self.clock.now()
        return to_out(record)

    async def merchant_reply(
        self, record_id: uuid.UUID, data: schemas.ReplyIn, actor: Principal
    ) -> schemas.ComplaintOut:
        """§4.4: the merchant concerned posts its public reply (its own complaints only: 404)."""
        record = await self.repository.get(record_id, for_update=True)
        self._check_visible(record, actor)
        self.flow.require(record, "merchant_reply")
        author = actor.merchant_id or actor.subject
        await self._keep(*new_message(record, "merchant", author, data.body, at=self.clock.now()))
        await self.flow.apply(record, "merchant_reply", actor)
        record.merchant_replied_at = record.merchant_replied_at or self.clock.now()
        return to_out(record)

    async def wait(self, record_id: uuid.UUID, data: schemas.ReasonIn, actor: Principal) -> schemas.ComplaintOut:
        """Waiting on the customer: the clocks pause (who and why in the audit trail)."""
        record = await self.repository.get(record_id, for_update=True)
        state = record.state
        await self.flow.apply(record, "wait", actor, reason=data.reason)
        record.waiting_reason, record.waiting_since, record.waiting_from = data.reason, self.clock.now(), state
        return to_out(record)

    async def resume(self, record_id: uuid.UUID, data: schemas.ReasonIn, actor: Principal) -> schemas.ComplaintOut:
        record = await self.repository.get(record_id, for_update=True)
        await self._resume(record, actor, data.reason)
        return to_out(record)

    async def _resume(self, record: Complaint, actor: Principal, reason: str) -> None:
        self.flow.require(record, "resume")
        outcome = "assigned" if record.waiting_from == ComplaintState.assigned else "open"
        await self.flow.apply(record, "resume", actor, outcome=outcome, reason=reason)
        record.waiting_reason = record.waiting_since = record.waiting_from = None

    async def prioritise(
        self, record_id: uuid.UUID, data: schemas.PriorityIn, actor: Principal
    ) -> schemas.ComplaintOut:
        record = await self.repository.get(record_id, for_update=True)
        was_major = record.major
        change = f"priority {record.priority} → {data.priority}"
        if data.major is not None and data.major != record.major:
            change += f", major {record.major} → {data.major}"
        await self.flow.apply(record, "prioritise", actor, reason=f"{change}: {data.reason}")
        record.priority, record.priority_rule = data.priority, "supervisor"
        if data.major is not None:
            record.major = data.major
        if record.major and not was_major:
            await self._raise_major(record, actor, "supervisor")
        return to_out(record)

    async def close(self, record_id: uuid.UUID, data: schemas.CloseIn, actor: Principal) -> schemas.ComplaintOut:
        """Closes the complaint and every complaint merged into it (ComplaintClosed for each)."""
        record = await self.repository.get(record_id, for_update=True)
        self.flow.require(record, "close")
        now = self.clock.now()
        record.resolution, record.closed_at = data.resolution, now
        await self.flow.apply(record, "close", actor, reason=data.resolution, event=closed_event(record, now))
        for member in await self.repository.merged_into(record.id):
            member.resolution, member.closed_at = f"closed with {record.id}: {data.resolution}", now
            await self.flow.apply(member, "close", actor, outcome="with-primary", reason=member.resolution,
                                  event=closed_event(member, now))  # fmt: skip
        return to_out(record)

    async def reopen(self, record_id: uuid.UUID, data: schemas.ReasonIn, actor: Principal) -> schemas.ComplaintOut:
        record = await self.repository.get(record_id, for_update=True)
        self.flow.require(record, "reopen")
        record.resolution = record.closed_at = None
        record.merged_into = None
        outcome = "owned" if record.owner else None
        await self.flow.apply(record, "reopen", actor, outcome=outcome, reason=data.reason, event=opened_event(record))
        return to_out(record)

    # -- reading ----------------------------------------------------------------------------------

    def _check_visible(self, record: Complaint, actor: Principal) -> None:
        """Customers see their own complaints, merchants theirs: any other is 'not found'."""
        if _is_staff(actor):
            return
        if actor.has(Role.customer) and record.customer_id == actor.subject:
            return
        if actor.has(Role.merchant) and actor.merchant_id is not None and record.merchant_id == actor.merchant_id:
            return
        raise NotFound(f"complaint {record.id} does not exist", resource="complaint", id=str(record.id))

    async def visible(self, record_id: uuid.UUID, actor: Principal) -> Complaint:
        record = await self.repository.get(record_id)
        self._check_visible(record, actor)
        return record

    async def get(self, record_id: uuid.UUID, actor: Principal) -> schemas.ComplaintOut:
        return (await self.shown([to_out(await self.visible(record_id, actor))], actor))[0]

    async def shown(self, outs: list[schemas.ComplaintOut], actor: Principal) -> list[schemas.ComplaintOut]:
        """E3: staff see the customer's flags from reviews; the customer and merchant never do."""
        if _is_staff(actor):
            await FlagService(self.session).show_on(outs)
        return outs

    async def history(self, record_id: uuid.UUID, actor: Principal) -> list[TransitionOut]:
        await self.visible(record_id, actor)
        return await self.flow.history(record_id)

    async def messages(self, record_id: uuid.UUID, actor: Principal) -> list[schemas.MessageOut]:
        await self.visible(record_id, actor)
        return [schemas.MessageOut.model_validate(m) for m in await self.repository.messages([record_id])]

    async def attachments(self, record_id: uuid.UUID, actor: Principal) -> list[schemas.AttachmentOut]:
        await self.visible(record_id, actor)
        return [schemas.AttachmentOut.model_validate(a) for a in await self.repository.attachments([record_id])]

    async def attachment(self, record_id: uuid.UUID, attachment_id: uuid.UUID, actor: Principal) -> ComplaintAttachment:
        await self.visible(record_id, actor)
        return await self.repository.attachment(record_id, attachment_id)

    async def list(
        self, page: PageParams, actor: Principal, *, filters: ComplaintFilters, newest_first: bool = False
    ) -> Page[schemas.ComplaintOut]:
        if not _is_staff(actor):
            # Customers list their own complaints, merchants theirs; asking for another's lists nothing.
            customer = actor.has(Role.customer)
            own = actor.subject if customer else actor.merchant_id or "\x00none"
            if (filters.customer_id if customer else filters.merchant_id) not in (None, own):
                return Page[schemas.ComplaintOut](items=[], next_cursor=None)
            filters = replace(filters, customer_id=own) if customer else replace(filters, merchant_id=own)
        rows = await self.repository.page(page, filters, newest_first=newest_first)
        listed = page_of(rows, page, key=lambda r: (r.received_at, r.id), item=to_out)
        await self.shown(listed.items, actor)
        return listed
