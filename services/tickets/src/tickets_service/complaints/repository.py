"""Every query of complaints."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Insert, Row, Table, bindparam, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset

from .models import Complaint, ComplaintAttachment, ComplaintMessage, ComplaintState

LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(CAST(:keys AS text[])) AS k")

# The intake's hot path (ADR 0022): statements built once, one round trip each.
# The keys' locks, in the order given (sorted), and the order's row in the same statement. The
# order read model needs no lock: it was read before the locks before, and still is.
LOCK_AND_ORDER = text(
    "SELECT o.order_id, o.customer_id, o.merchant_id, o.currency, o.total_minor, o.paid_minor"
    " FROM (SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) AS n"
    " FROM unnest(CAST(:keys AS text[])) AS k) AS locked"
    " LEFT JOIN orders AS o ON o.order_id = CAST(:order_id AS text)"
)
# After the locks, in a statement of its own (its snapshot sees what the holders before us
# committed): the complaint the message already made, and whether a live one would absorb it.
ARRIVED = text(
    "SELECT (SELECT id FROM complaints WHERE channel = CAST(:channel AS text)"
    " AND channel_message_id = CAST(:message_id AS text)) AS existing,"
    " EXISTS (SELECT FROM complaints WHERE customer_id = CAST(:customer_id AS text)"
    " AND order_id = CAST(:order_id AS text) AND state NOT IN ('closed', 'merged')) AS live"
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

    async def lock_and_find_order(self, keys: list[str], order_id: str | None) -> Row[Any] | None:
        """:meth:`lock` and the order read model's row of ``order_id`` in one round trip."""
        rows = await self.session.execute(LOCK_AND_ORDER, {"keys": sorted(set(keys)), "order_id": order_id})
        row = rows.one()
        return row if row.order_id is not None else None

    async def arrived(
        self, channel: str, message_id: str | None, customer_id: str | None, order_id: str | None
    ) -> tuple[uuid.UUID | None, bool]:
        """(the complaint this channel message made, whether a live complaint of the customer
        about the order exists), in one round trip; run it after :meth:`lock`."""
        row = (
            await self.session.execute(
                ARRIVED,
                {"channel": channel, "message_id": message_id, "customer_id": customer_id, "order_id": order_id},
            )
        ).one()
        return row.existing, bool(row.live)

    async def insert_new(self, record: Complaint, message: ComplaintMessage) -> None:
        """Writes a new complaint and its first message (both built by the caller, kept out of
        the ORM's unit of work: one statement instead of two flushes)."""
        values = {f"c_{name}": getattr(record, name) for name in COMPLAINT_COLUMNS}
        values |= {f"m_{name}": getattr(message, name) for name in MESSAGE_COLUMNS}
        await self.session.execute(INSERT_NEW, values)

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

    async def by_channel_message(self, channel: str, channel_message_id: str) -> Complaint | None:
        return await self.session.scalar(
            select(Complaint).where(Complaint.channel == channel, Complaint.channel_message_id == channel_message_id)
        )

    async def live_about(self, customer_id: str, order_id: str, *, for_update: bool = False) -> Complaint | None:
        """The earliest complaint still being worked on by this customer about this order."""
        query = (
            select(Complaint)
            .where(
                Complaint.customer_id == customer_id,
                Complaint.order_id == order_id,
                Complaint.state.not_in([ComplaintState.closed, ComplaintState.merged]),
            )
            .order_by(Complaint.received_at, Complaint.id)
            .limit(1)
        )
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def merged_into(self, primary_id: uuid.UUID) -> list[Complaint]:
        query = (
            select(Complaint)
            .where(Complaint.merged_into == primary_id, Complaint.state == ComplaintState.merged)
            .order_by(Complaint.received_at, Complaint.id)
            .with_for_update()
        )
        return list(await self.session.scalars(query))

    async def page(
        self,
        page: PageParams,
        *,
        state: str | None = None,
        channel: str | None = None,
        priority: str | None = None,
        owner: str | None = None,
        order_id: str | None = None,
        customer_id: str | None = None,
        merchant_id: str | None = None,
        major: bool | None = None,
    ) -> list[Complaint]:
        query = select(Complaint)
        filters = {
            Complaint.state: state,
            Complaint.channel: channel,
            Complaint.priority: priority,
            Complaint.owner: owner,
            Complaint.order_id: order_id,
            Complaint.customer_id: customer_id,
            Complaint.merchant_id: merchant_id,
            Complaint.major: major,
        }
        for column, value in filters.items():
            if value is not None:
                query = query.where(column == value)
        query = keyset(query, page, Complaint.received_at, Complaint.id)
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
