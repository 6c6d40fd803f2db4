"""§4 / §7.1: a call the call centre recorded as a complaint (InboundComplaintCall) becomes a
phone complaint here, recorded the moment it was called, routed at once to the person the
call floor named (USERONLY until §4.5 runs out, then anyone). Idempotent by call id: the call
id is the phone channel's message id, so a redelivered event, or the same call posted by the
telephony gateway to `/complaints/intake`, is the one complaint it made."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Principal, Role
from aftersales_events.catalogue.callcenter import InboundComplaintCall
from aftersales_sla import SlaClocks

from . import schemas
from .intake import Arrival
from .models import Channel
from .new_rows import ComplaintRecord
from .service import ComplaintService

CALLCENTER = Principal("callcenter", frozenset({Role.service}))
"""The call centre, handing the complaint over (the intake admits the role ``service``)."""

SUBJECT_LIMIT = 200  # as the intake's subject


def arrival_of(event: InboundComplaintCall) -> Arrival:
    topic = event.category or "inbound complaint call"
    return Arrival(
        channel=Channel.phone,
        channel_message_id=event.call_id,
        sender=schemas.Sender(customer_id=event.customer_id, handle=event.phone or f"call {event.call_id}"),
        body=event.description,
        received_at=event.called_at,
        subject=f"{topic} (call {event.call_id}, recorded by {event.recorded_by})"[:SUBJECT_LIMIT],
        order_id=event.order_id,
        routed_to=event.owner or None,
    )


async def complaint_call(
    session: AsyncSession, resources: Any, event: InboundComplaintCall
) -> tuple[ComplaintRecord, bool]:
    """The complaint the call made (True) or had made already (False)."""
    now = resources.clock.now()
    calendar = await resources.calendar_provider.current(session)
    sla = SlaClocks(session, calendar, resources.sla_policies, now)
    service = ComplaintService(session, resources.clock, sla, resources.settings)
    return await service.intake.record(arrival_of(event), CALLCENTER)
