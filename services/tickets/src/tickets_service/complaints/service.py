"""Use cases of complaints (PROCESSES.md §4). Methods only flush: the entry point commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Forbidden, NotFound, Page, PageParams, Principal, Role, page_of
from aftersales_chassis.storage import StoredAttachment
from aftersales_events import EventPayload, record_event
from aftersales_events.catalogue.sla import SlaBreachedBase
from aftersales_events.catalogue.tickets import ComplaintClosed, ComplaintOpened, MajorComplaintRaised
from aftersales_sla import SlaClocks
from aftersales_workflow import Move, TransitionOut

from ..flags.service import FlagService
from ..settings import TicketsSettings
from . import schemas
from .metrics import complaint_received
from .models import PUBLIC_CHANNELS, Channel, Complaint, ComplaintAttachment, ComplaintMessage, ComplaintState
from .priority import rank
from .repository import ComplaintRepository
from .state import COMPLAINT_FLOW, SIDE_EFFECTS

SYSTEM = Principal("tickets", frozenset({Role.service}))
"""The service itself, acting on a clock that ran out (§4.5's fallback)."""


@dataclass
class Arrival:
    """A complaint as any channel brings it: a gateway's post, an agent's form, an e-mail."""

    channel: Channel
    sender: schemas.Sender
    body: str
    received_at: datetime
    subject: str = ""
    order_id: str | None = None
    channel_message_id: str | None = None
    email_message_id: str | None = None
    attachments: list[StoredAttachment] = field(default_factory=list)
    category: str | None = None
    brand: str | None = None
    routed_to: str | None = None
    """Who a phone complaint goes to (§4.5): the person the call floor named; None: the dedicated owner setting."""


async def on_clock_breached(session: AsyncSession, resources: Any, event: SlaBreachedBase) -> None:
    """The fallback of §4.5 as a clock: its breach, fired once by the SLA scheduler and consumed
    here, reassigns the complaint. ``resources`` is the app's state (clock, settings, calendar)."""
    if event.step != "§4.5" or event.aggregate_type != COMPLAINT_FLOW.aggregate:
        return
    now = resources.clock.now()
    calendar = await resources.calendar_provider.current(session)
    sla = SlaClocks(session, calendar, resources.sla_policies, now)
    await ComplaintService(session, resources.clock, sla, resources.settings).fall_back(uuid.UUID(event.aggregate_id))


def to_out(record: Complaint) -> schemas.ComplaintOut:
    out = schemas.ComplaintOut.model_validate(record)
    out.allowed_actions = [a for a in COMPLAINT_FLOW.allowed_actions(record.state) if a not in SIDE_EFFECTS]
    return out


def _opened(record: Complaint) -> ComplaintOpened:
    return ComplaintOpened(
        complaint_id=record.id,
        order_id=record.order_id,
        merchant_id=record.merchant_id,
        channel=record.channel,
        category=record.priority_rule,
        opened_at=record.received_at,
    )


def _closed(record: Complaint, at: datetime) -> ComplaintClosed:
    return ComplaintClosed(
        complaint_id=record.id, order_id=record.order_id, resolution=record.resolution or "", closed_at=at
    )


def _dimension(value: str | None) -> str | None:
    """A report dimension as given, trimmed (blank: not given)."""
    return (value or "").strip() or None


def _message_key(arrival: Arrival) -> tuple[str, str] | None:
    return None if arrival.channel_message_id is None else (str(arrival.channel), arrival.channel_message_id)


def _customer(arrival: Arrival, orders: dict[str, Row[Any]]) -> str | None:
    """The customer the merge is keyed by: as the sender names them, else the order's."""
    if arrival.sender.customer_id:
        return arrival.sender.customer_id
    order = orders.get(arrival.order_id) if arrival.order_id else None
    return order.customer_id if order is not None else None


def _lock_keys(arrivals: Sequence[Arrival], customers: Sequence[str | None]) -> list[str]:
    """Serialise intakes of one channel message, and of one customer's order (the merge)."""
    keys = []
    for arrival, customer_id in zip(arrivals, customers, strict=True):
        if arrival.channel_message_id is not None:
            keys.append(f"complaint-intake:{arrival.channel}:{arrival.channel_message_id}")
        if customer_id and arrival.order_id:
            keys.append(f"complaint-merge:{customer_id}:{arrival.order_id}")
    return keys


def _is_staff(actor: Principal) -> bool:
    return any(actor.has(role) for role in (Role.agent, Role.supervisor, Role.warehouse, Role.finance, Role.service))


class ComplaintService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks, settings: TicketsSettings) -> None:
        self.session = session
        self.clock = clock
        self.settings = settings
        self.repository = ComplaintRepository(session)
        self.flow = COMPLAINT_FLOW.bind(session, clock, sla)

    # -- intake --------------------------------------------------------------------------------

    async def record(self, arrival: Arrival, actor: Principal) -> tuple[Complaint, bool]:
        """§4: recorded the moment it arrives. A resend of a channel message is the complaint it
        made (False); the same customer about the same order again is merged into the earliest
        complaint still being worked on (its clocks are the ones kept)."""
        [recorded] = await self.record_many([arrival], actor)
        return recorded

    async def record_many(self, arrivals: Sequence[Arrival], actor: Principal) -> list[tuple[Complaint, bool]]:
        """:meth:`record` for each arrival, in order, as if they came one after another, with
        the round trips of one (ADR 0023): the locks and the orders in one statement, what
        arrived before us in one, then the writes of all of them together. A message twice in
        the batch is made once (the second is its resend); a customer's second message about an
        order is merged into the first's complaint, in the batch or before it."""
        # Round trips counted (ADR 0022, 0023): the locks and the orders, then what arrived
        # before us, then the writes; none per complaint.
        order_ids = [a.order_id for a in arrivals if a.order_id]
        if any(a.order_id and not a.sender.customer_id for a in arrivals):
            # The merge key needs the order's customer: the orders first, then the locks.
            orders = await self.repository.lock_and_find_orders([], order_ids)
            customers = [_customer(a, orders) for a in arrivals]
            await self.repository.lock(*_lock_keys(arrivals, customers))
        else:
            customers = [_customer(a, {}) for a in arrivals]
            keys = _lock_keys(arrivals, customers)
            # An agent's complaint with no order: nothing to lock, nothing to link.
            orders = await self.repository.lock_and_find_orders(keys, order_ids) if keys or order_ids else {}
        pairs = [(c, a.order_id) if c and a.order_id else None for a, c in zip(arrivals, customers, strict=True)]
        messages = [(str(a.channel), a.channel_message_id) for a in arrivals if a.channel_message_id is not None]
        wanted = sorted({p for p in pairs if p is not None})
        made, live = await self.repository.arrived(messages, wanted) if messages or wanted else (set(), set())
        resends = await self.repository.by_channel_messages(sorted(made)) if made else {}
        merging = {p for a, p in zip(arrivals, pairs, strict=True) if p in live and _message_key(a) not in resends}
        primaries = await self.repository.live_primaries(sorted(merging)) if merging else {}

        now = self.clock.now()
        recorded: list[tuple[Complaint, bool]] = []
        moves: list[Move] = []
        written: list[tuple[Complaint, ComplaintMessage]] = []
        kept: list[ComplaintAttachment] = []
        for arrival, customer_id, pair in zip(arrivals, customers, pairs, strict=True):
            key = _message_key(arrival)
            if key is not None and (earlier := resends.get(key)) is not None:
                recorded.append((earlier, False))
                continue
            primary = primaries.get(pair) if pair is not None else None
            order = orders.get(arrival.order_id) if arrival.order_id else None
            record, outcome, rule = self._new(arrival, actor, customer_id, order, primary, now)
            message, attachments = self._message(record, "in", arrival.sender.handle or arrival.sender.name
                                                 or actor.subject, arrival.body, at=arrival.received_at,
                                                 email_message_id=arrival.email_message_id,
                                                 attachments=arrival.attachments)  # fmt: skip
            # Published even when merged: finance holds the order until every complaint about it closes.
            events: list[EventPayload] = [_opened(record)]
            if record.major:
                events.append(self._major(record, actor, rule))
            moves.append(Move(record, outcome=outcome, reason=arrival.subject or None, events=events, new=True))
            if primary is not None:
                moves.append(Move(primary, "absorb", reason=f"merged {record.id} ({record.channel})"))
            elif pair is not None:
                primaries[pair] = record  # the customer's next message about the order joins it
            if key is not None:
                resends[key] = record  # the same message again in this batch is its resend
            written.append((record, message))
            kept.extend(attachments)
            recorded.append((record, True))
        # The flow's rows (audit, clocks, outbox) have no foreign key to the complaint: they go first,
        # so each complaint is written once, with the state and update time the flow gave it.
        await self.flow.take_many(moves, actor)
        await self.repository.insert_new(written)
        if kept:
            await self.repository.add(*kept)
        for record, _ in written:
            complaint_received(record.channel, merged=record.merged_into is not None)
        return recorded

    def _new(
        self,
        arrival: Arrival,
        actor: Principal,
        customer_id: str | None,
        order: Row[Any] | None,
        primary: Complaint | None,
        now: datetime,
    ) -> tuple[Complaint, str | None, str]:
        """A new complaint (not yet written), the outcome of its opening transition, and the
        rule that ranked it."""
        order_minor = (
            None if order is None else (order.paid_minor if order.paid_minor is not None else order.total_minor)
        )
        ranked = rank(
            self.settings.priority_rules,
            channel=arrival.channel,
            text=f"{arrival.subject}\n{arrival.body}",
            order_minor=order_minor,
        )
        record = Complaint(
            id=uuid.uuid4(),
            channel=arrival.channel,
            channel_message_id=arrival.channel_message_id,
            subject=arrival.subject,
            body=arrival.body,
            sender_name=arrival.sender.name,
            sender_handle=arrival.sender.handle,
            customer_id=customer_id,
            order_id=arrival.order_id,
            order_known=order is not None,
            merchant_id=order.merchant_id if order else None,
            paid_minor=order.paid_minor if order else None,
            currency=order.currency if order else None,
            category=_dimension(arrival.category),
            brand=_dimension(arrival.brand),
            priority=ranked.priority,
            priority_rule=ranked.rule,
            major=ranked.major,
            received_at=arrival.received_at.astimezone(UTC),  # stored and shown in UTC
            created_by=actor.subject,
            created_at=now,
            updated_at=now,
        )
        if primary is not None:
            outcome: str | None = "merged"
            record.merged_into = primary.id
        elif arrival.channel == Channel.phone:
            outcome = "phone"
            # USERONLY until §4.5 runs out
            record.routed_to = arrival.routed_to or self.settings.phone_complaint_owner
        else:
            outcome = "public" if arrival.channel in PUBLIC_CHANNELS else None
        record.state = ComplaintState.open  # the flow sets the real one
        return record, outcome, ranked.rule

    async def customer_message(self, record: Complaint, arrival: Arrival, actor: Principal) -> None:
        """The customer wrote again in a thread we know (an e-mail reply): the message joins the
        complaint, and one that was waiting on the customer is worked on again."""
        await self._add_message(record, "in", arrival.sender.handle or actor.subject, arrival.body,
                                at=arrival.received_at, email_message_id=arrival.email_message_id,
                                attachments=arrival.attachments)  # fmt: skip
        if record.state == ComplaintState.waiting:
            await self._resume(record, actor, "the customer replied")
        else:
            await self.flow.apply(record, "customer_message", actor, reason=arrival.subject or None)

    async def _add_message(
        self,
        record: Complaint,
        direction: str,
        author: str,
        body: str,
        *,
        at: datetime,
        email_message_id: str | None = None,
        attachments: list[StoredAttachment] | None = None,
    ) -> ComplaintMessage:
        message, kept = self._message(
            record, direction, author, body, at=at, email_message_id=email_message_id, attachments=attachments
        )
        await self.repository.add(message)
        if kept:
            await self.repository.add(*kept)
        return message

    @staticmethod
    def _message(
        record: Complaint,
        direction: str,
        author: str,
        body: str,
        *,
        at: datetime,
        email_message_id: str | None = None,
        attachments: list[StoredAttachment] | None = None,
    ) -> tuple[ComplaintMessage, list[ComplaintAttachment]]:
        message = ComplaintMessage(
            id=uuid.uuid4(), complaint_id=record.id, direction=direction, channel=record.channel,
            author=author, body=body, email_message_id=email_message_id, at=at,
        )  # fmt: skip
        kept = [
            ComplaintAttachment(
                id=uuid.uuid4(),
                complaint_id=record.id,
                message_id=message.id,
                storage_key=a.key,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                filename=a.filename,
                at=at,
            )
            for a in attachments or ()
        ]
        return message, kept

    def _major(self, record: Complaint, actor: Principal, rule: str) -> MajorComplaintRaised:
        return MajorComplaintRaised(
            complaint_id=record.id, order_id=record.order_id, merchant_id=record.merchant_id,
            customer_id=record.customer_id, channel=record.channel, priority=record.priority, rule=rule,
            raised_by=actor.subject, raised_at=self.clock.now(),
        )  # fmt: skip

    async def _raise_major(self, record: Complaint, actor: Principal, rule: str) -> None:
        await record_event(self.session, self._major(record, actor, rule), subject=str(record.id), at=self.clock.now())

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
        await self._add_message(record, "out", actor.subject, data.body, at=self.clock.now())
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
        await self._add_message(record, "merchant", actor.merchant_id or actor.subject, data.body, at=self.clock.now())
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
        await self.flow.apply(record, "close", actor, reason=data.resolution, event=_closed(record, now))
        for member in await self.repository.merged_into(record.id):
            member.resolution, member.closed_at = f"closed with {record.id}: {data.resolution}", now
            await self.flow.apply(member, "close", actor, outcome="with-primary", reason=member.resolution,
                                  event=_closed(member, now))  # fmt: skip
        return to_out(record)

    async def reopen(self, record_id: uuid.UUID, data: schemas.ReasonIn, actor: Principal) -> schemas.ComplaintOut:
        record = await self.repository.get(record_id, for_update=True)
        self.flow.require(record, "reopen")
        record.resolution = record.closed_at = None
        record.merged_into = None
        outcome = "owned" if record.owner else None
        await self.flow.apply(record, "reopen", actor, outcome=outcome, reason=data.reason, event=_opened(record))
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
        self,
        page: PageParams,
        actor: Principal,
        *,
        state: str | None = None,
        channel: str | None = None,
        priority: str | None = None,
        owner: str | None = None,
        order_id: str | None = None,
        major: bool | None = None,
    ) -> Page[schemas.ComplaintOut]:
        customer_id = merchant_id = None
        if not _is_staff(actor):
            # Customers list their own complaints, merchants theirs; nothing else is theirs to see.
            if actor.has(Role.customer):
                customer_id = actor.subject
            else:
                merchant_id = actor.merchant_id or "\x00none"
        rows = await self.repository.page(
            page, state=state, channel=channel, priority=priority, owner=owner, order_id=order_id, major=major,
            customer_id=customer_id, merchant_id=merchant_id,
        )  # fmt: skip
        listed = page_of(rows, page, key=lambda r: (r.received_at, r.id), item=to_out)
        await self.shown(listed.items, actor)
        return listed
