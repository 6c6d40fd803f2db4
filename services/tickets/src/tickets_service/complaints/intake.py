"""Complaint intake (PROCESSES.md §4): what every channel brings, recorded the moment it
arrives; a resend is the complaint it made, and a customer's second complaint about an order
is merged into the first. Methods only flush: the entry point commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from aftersales_chassis import Clock, Principal
from aftersales_chassis.storage import StoredAttachment
from aftersales_events import EventPayload
from aftersales_workflow import Move, WorkflowRunner

from ..settings import TicketsSettings
from . import schemas
from .metrics import complaint_received
from .models import PUBLIC_CHANNELS, Channel, ComplaintAttachment, ComplaintState
from .new_rows import ComplaintRecord, NewComplaint, NewMessage
from .priority import rank
from .records import attachment_rows, first_message, major_event, opened_event
from .repository import ComplaintRepository


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


class ComplaintIntake:
    """Reached through :attr:`ComplaintService.intake`, on the service's session and flow."""

    def __init__(
        self, clock: Clock, settings: TicketsSettings, repository: ComplaintRepository, flow: WorkflowRunner
    ) -> None:
        self.clock = clock
        self.settings = settings
        self.repository = repository
        self.flow = flow

    async def record(self, arrival: Arrival, actor: Principal) -> tuple[ComplaintRecord, bool]:
        """§4: recorded the moment it arrives. A resend of a channel message is the complaint it
        made (False); the same customer about the same order again is merged into the earliest
        complaint still being worked on (its clocks are the ones kept)."""
        [recorded] = await self.record_many([arrival], actor)
        return recorded

    async def record_many(self, arrivals: Sequence[Arrival], actor: Principal) -> list[tuple[ComplaintRecord, bool]]:
        """:meth:`record` for each arrival, in order, as if they came one after another, with
        the round trips of one (ADR 0023): the locks and the orders in one statement, what
        arrived before us in one, then the writes of all of them together. A message twice in
        the batch is made once (the second is its resend); a customer's second message about an
        order is merged into the first's complaint, in the batch or before it. A new complaint
        comes back as the row it was written from (:class:`NewComplaint`), a resend as loaded."""
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
        # Loaded complaints, joined by the ones this batch makes (a later item's resend or merge).
        resends: dict[tuple[str, str], ComplaintRecord] = {}
        resends.update(await self.repository.by_channel_messages(sorted(made)) if made else {})
        merging = {p for a, p in zip(arrivals, pairs, strict=True) if p in live and _message_key(a) not in resends}
        primaries: dict[tuple[str, str], ComplaintRecord] = {}
        primaries.update(await self.repository.live_primaries(sorted(merging)) if merging else {})

        now = self.clock.now()
        recorded: list[tuple[ComplaintRecord, bool]] = []
        moves: list[Move] = []
        written: list[tuple[NewComplaint, NewMessage]] = []
        kept: list[ComplaintAttachment] = []
        for arrival, customer_id, pair in zip(arrivals, customers, pairs, strict=True):
            key = _message_key(arrival)
            if key is not None and (earlier := resends.get(key)) is not None:
                recorded.append((earlier, False))
                continue
            primary = primaries.get(pair) if pair is not None else None
            order = orders.get(arrival.order_id) if arrival.order_id else None
            record, outcome, rule = self._new(arrival, actor, customer_id, order, primary, now)
            message = first_message(record, arrival.sender.handle or arrival.sender.name or actor.subject,
                                    arrival.body, at=arrival.received_at,
                                    email_message_id=arrival.email_message_id)  # fmt: skip
            # Published even when merged: finance holds the order until every complaint about it closes.
            events: list[EventPayload] = [opened_event(record)]
            if record.major:
                events.append(major_event(record, actor, rule, now))
            moves.append(Move(record, outcome=outcome, reason=arrival.subject or None, events=events, new=True))
            if primary is not None:
                moves.append(Move(primary, "absorb", reason=f"merged {record.id} ({record.channel})"))
            elif pair is not None:
                primaries[pair] = record  # the customer's next message about the order joins it
            if key is not None:
                resends[key] = record  # the same message again in this batch is its resend
            written.append((record, message))
            kept.extend(attachment_rows(message, arrival.attachments, arrival.received_at))
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
        primary: ComplaintRecord | None,
        now: datetime,
    ) -> tuple[NewComplaint, str | None, str]:
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
        record = NewComplaint(
            id=uuid.uuid4(),
            state=ComplaintState.open,  # the flow sets the real one
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
        return record, outcome, ranked.rule
