"""Every query of complaints."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Insert, Row, Table, bindparam, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset

from .filters import ComplaintFilters
from .models import Complaint, ComplaintAttachment, ComplaintMessage, ComplaintState
from .new_rows import NewComplaint, NewMessage

LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(CAST(:keys AS text[])) AS k")

# The intake's hot path (ADR 0022, 0023): statements built once, one round trip each, for one
# complaint or a gateway's batch alike.
# The keys' locks, in the order given (sorted), and the orders' rows in the same statement. The
# order read model needs no lock: it was read before the locks before, and still is.
LOCK_AND_ORDERS = text(
    "SELECT o.order_id, o.customer_id, o.merchant_id, o.currency, o.total_minor, o.paid_minor"
    " FROM (SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) AS n"
    " FROM unnest(CAST(:keys AS text[])) AS k) AS locked"
    " LEFT JOIN orders AS o ON o.order_id = ANY(CAST(:order_ids AS text[]))"
)
# After the locks, in a statement of its own (its snapshot sees what the holders before us
# committed): the channel messages that already made a complaint, and the (customer, order)
# pairs a live complaint would absorb a newcomer of.
ARRIVED = text(
    "SELECT c.channel, c.channel_message_id, NULL AS customer_id, NULL AS order_id FROM complaints AS c"
    " JOIN unnest(CAST(:channels AS text[]), CAST(:message_ids AS text[])) AS m(channel, id)"
    " ON c.channel = m.channel AND c.channel_message_id = m.id"
    " UNION ALL"
    " SELECT DISTINCT NULL, NULL, c.customer_id, c.order_id FROM complaints AS c"
    " JOIN unnest(CAST(:customer_ids AS text[]), CAST(:order_ids AS text[])) AS p(customer_id, order_id)"
    " ON c.customer_id = p.customer_id AND c.order_id = p.order_id WHERE c.state NOT IN ('closed', 'merged')"
)


def _insert_new() -> Insert:
    """A new complaint and its first message in one statement (the message's foreign key is
    checked at the statement's end, when the complaint is there)."""
    complaint, message = cast(Table, Complaint.__table__), cast(Table, ComplaintMessage.__table__)
    written = (
        insert(complaint).values({c.name: bindparam(f"c_{c.name}", type_=c.type) for c in complaint.columns}).cte("c")
    )
    return (
        insert(message)
        .values({c.name: bindparam(f"m_{c.name}", type_=c.type) for c in message.columns})
        .add_cte(written)
    )


INSERT_NEW = _insert_new()
INSERT_COMPLAINTS = insert(cast(Table, Complaint.__table__))
INSERT_MESSAGES = insert(cast(Table, ComplaintMessage.__table__))
COMPLAINT_COLUMNS = tuple(c.name for c in Complaint.__table__.columns)
MESSAGE_COLUMNS = tuple(c.name for c in ComplaintMessage.__table__.columns)


class ComplaintRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, *keys: str) -> None:
        """Serialises intakes of each key (a channel message, a customer's order) until commit:
        two gateways resending at once, or two channels at once, make one complaint. Several
        keys in one round trip, always in sorted order (two intakes cannot deadlock)."""
        if keys:
            await self.session.execute(LOCK, {"keys": sorted(set(keys))})

    async def lock_and_find_orders(self, keys: Sequence[str], order_ids: Sequence[str]) -> dict[str, Row[Any]]:
        """:meth:`lock` and the order read model's rows of ``order_ids`` in one round trip."""
        rows = await self.session.execute(
            LOCK_AND_ORDERS, {"keys": sorted(set(keys)), "order_ids": sorted(set(order_ids))}
        )
        return {row.order_id: row for row in rows if row.order_id is not None}

    async def arrived(
        self, messages: Sequence[tuple[str, str]], pairs: Sequence[tuple[str, str]]
    ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """(the ``(channel, channel_message_id)`` of ``messages`` that already made a complaint,
        the ``(customer_id, order_id)`` of ``pairs`` with a live complaint), in one round trip;
        run it after :meth:`lock`."""
        rows = await self.session.execute(
            ARRIVED,
            {
                "channels": [c for c, _ in messages], "message_ids": [m for _, m in messages],
                "customer_ids": [c for c, _ in pairs], "order_ids": [o for _, o in pairs],
            },
        )  # fmt: skip
        made, live = set(), set()
        for row in rows:
            if row.channel is not None:
                made.add((row.channel, row.channel_message_id))
            else:
                live.add((row.customer_id, row.order_id))
        return made, live

    async def by_channel_messages(self, messages: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Complaint]:
        found = await self.session.scalars(
            select(Complaint).where(tuple_(Complaint.channel, Complaint.channel_message_id).in_(messages))
        )
        return {(c.channel, c.channel_message_id or ""): c for c in found}

    async def live_primaries(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Complaint]:
        """The earliest complaint still being worked on per ``(customer_id, order_id)``, locked
        (``FOR UPDATE``): the one a newcomer of that customer about that order is merged into."""
        query = (
            select(Complaint)
            .where(
                tuple_(Complaint.customer_id, Complaint.order_id).in_(pairs),
                Complaint.state.not_in([ComplaintState.closed, ComplaintState.merged]),
            )
            .order_by(Complaint.received_at, Complaint.id)
            .with_for_update()
        )
        earliest: dict[tuple[str, str], Complaint] = {}
        for record in await self.session.scalars(query):
            earliest.setdefault((record.customer_id or "", record.order_id or ""), record)
        return earliest

    async def insert_new(self, written: Sequence[tuple[NewComplaint, NewMessage]]) -> None:
        """Writes new complaints and their first messages (built by the caller, kept out of the
        ORM's unit of work): one statement for one complaint, two for a batch (all complaints,
        then all messages), never a flush per row."""
        if len(written) == 1:
            [(record, message)] = written
            values = {f"c_{name}": getattr(record, name) for name in COMPLAINT_COLUMNS}
            values |= {f"m_{name}": getattr(message, name) for name in MESSAGE_COLUMNS}
            await self.session.execute(INSERT_NEW, values)
        elif written:
            await self.session.execute(
                INSERT_COMPLAINTS, [{name: getattr(r, name) for name in COMPLAINT_COLUMNS} for r, _ in written]
            )
            await self.session.execute(
                INSERT_MESSAGES, [{name: getattr(m, name) for name in MESSAGE_COLUMNS} for _, m in written]
            )

    async def add(self, *records: Complaint | ComplaintMessage | ComplaintAttachment) -> None:
        self.session.add_all(records)
        await self.session.flush()

    async def get(self, record_id: uuid.UUID, *, for_update: bool = False) -> Complaint:
        query = select(Complaint).where(Complaint.id == record_id)
        if for_update:
            query = query.with_for_update()  # serialises actions on one complaint
        record = await self.session.scalar(query)
        if record is None:
            raise NotFound(f"complaint {record_id} does not exist", resource="complaint", id=str(record_id))
        return record

    async def merged_into(self, primary_id: uuid.UUID) -> list[Complaint]:
        query = (
            select(Complaint)
            .where(Complaint.merged_into == primary_id, Complaint.state == ComplaintState.merged)
            .order_by(Complaint.received_at, Complaint.id)
            .with_for_update()
        )
        return list(await self.session.scalars(query))

    async def page(self, page: PageParams, filters: ComplaintFilters, *, newest_first: bool = False) -> list[Complaint]:
        query = select(Complaint)
        equal_to = {
            Complaint.state: filters.state,
            Complaint.channel: filters.channel,
            Complaint.priority: filters.priority,
            Complaint.owner: filters.owner,
            Complaint.order_id: filters.order_id,
            Complaint.customer_id: filters.customer_id,
            Complaint.merchant_id: filters.merchant_id,
            Complaint.major: filters.major,
        }
        for column, value in equal_to.items():
            if value is not None:
                query = query.where(column == value)
        if filters.received_from is not None:
            query = query.where(Complaint.received_at >= filters.received_from)
        if filters.received_to is not None:
            query = query.where(Complaint.received_at < filters.received_to)
        query = keyset(query, page, Complaint.received_at, Complaint.id, descending=newest_first)
        return list(await self.session.scalars(query))

    async def messages(self, complaint_ids: Sequence[uuid.UUID]) -> list[ComplaintMessage]:
        query = (
            select(ComplaintMessage)
            .where(ComplaintMessage.complaint_id.in_(complaint_ids))
            .order_by(ComplaintMessage.at, ComplaintMessage.id)
        )
        return list(await self.session.scalars(query))

    async def attachments(self, complaint_ids: Sequence[uuid.UUID]) -> list[ComplaintAttachment]:
        query = (
            select(ComplaintAttachment)
            .where(ComplaintAttachment.complaint_id.in_(complaint_ids))
            .order_by(ComplaintAttachment.at, ComplaintAttachment.id)
        )
        return list(await self.session.scalars(query))

    async def attachment(self, complaint_id: uuid.UUID, attachment_id: uuid.UUID) -> ComplaintAttachment:
        found = await self.session.scalar(
            select(ComplaintAttachment).where(
                ComplaintAttachment.id == attachment_id, ComplaintAttachment.complaint_id == complaint_id
            )
        )
        if found is None:
            raise NotFound(f"attachment {attachment_id} does not exist", resource="attachment")
        return found

    async def complaint_of_email(self, message_ids: Sequence[str]) -> uuid.UUID | None:
        """The complaint an e-mail answers: the first of its In-Reply-To/References we stored."""
        if not message_ids:
            return None
        rows = await self.session.execute(
            select(ComplaintMessage.email_message_id, ComplaintMessage.complaint_id).where(
                ComplaintMessage.email_message_id.in_(message_ids)
            )
        )
        found = {row.email_message_id: row.complaint_id for row in rows}
        return next((found[mid] for mid in message_ids if mid in found), None)
