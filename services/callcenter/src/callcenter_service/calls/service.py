"""Use cases of the call log (§7.1). Methods only flush: the entry point commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import Clock, Conflict, Page, PageParams, Principal, page_of
from aftersales_events import record_event
from aftersales_events.catalogue import callcenter as ev

from ..settings import CallcenterSettings
from . import schemas
from .metrics import CALL_LOSS_RATE
from .models import CallEventKind, CallEventRecord, CallStatus
from .repository import CallRepository
from .telephony import CallEvent

FORMULA = (
    "call-loss rate (呼损率) = inbound calls not answered ÷ inbound calls offered, per business day in the "
    "calendar's zone; abandons shorter than {threshold} s are left out of both; calls with no outcome yet "
    "are not counted (PROCESSES.md §10)"
)


def _call_row(events: Sequence[CallEventRecord], phones: dict[str, str], zone: Any, now: datetime) -> dict[str, Any]:
    """A call as its events add up, in whatever order they came: answered > abandoned > missed > offered."""
    by_kind = {e.kind: e for e in events}
    started = min(e.at for e in events)
    answered = by_kind.get(CallEventKind.answered)
    abandoned = by_kind.get(CallEventKind.abandoned)
    outside = by_kind.get(CallEventKind.missed_outside_hours)
    if answered is not None:
        status = CallStatus.answered
    elif abandoned is not None:
        status = CallStatus.abandoned
    elif outside is not None:
        status = CallStatus.missed
    else:
        status = CallStatus.offered
    ended = [e.at for e in (answered, abandoned, outside) if e is not None]
    call_id = events[0].call_id
    return {
        "call_id": call_id,
        "phone": phones[call_id],
        "status": status.value,
        "started_at": started,
        "business_day": started.astimezone(zone).date(),
        "answered_at": answered.at if answered else None,
        "ended_at": max(ended) if ended else None,
        "wait_seconds": abandoned.wait_seconds if abandoned else None,
        "missed": status in (CallStatus.abandoned, CallStatus.missed),
        "updated_at": now,
    }


class CallLogService:
    def __init__(
        self, session: AsyncSession, clock: Clock, calendar: BusinessCalendar, settings: CallcenterSettings
    ) -> None:
        self.session = session
        self.clock = clock
        self.calendar = calendar
        self.settings = settings
        self.repository = CallRepository(session)

    async def record(self, events: Sequence[CallEvent]) -> schemas.CallEventsOut:
        """Idempotent by (call id, kind); out of order tolerated (a call is recomputed from all
        its events each time one is new)."""
        now = self.clock.now()
        rows = {
            (e.call_id, e.kind.value): {"call_id": e.call_id, "kind": e.kind.value, "at": e.at,
                                        "wait_seconds": e.wait_seconds, "received_at": now}
            for e in events
        }  # fmt: skip
        new = await self.repository.add_events(list(rows.values()))
        phones = {e.call_id: e.phone for e in events}
        changed = sorted({call_id for call_id, _ in new})
        if changed:
            grouped: dict[str, list[CallEventRecord]] = defaultdict(list)
            for record in await self.repository.events_of(changed):
                grouped[record.call_id].append(record)
            await self.repository.upsert_calls(
                [_call_row(grouped[call_id], phones, self.calendar.zone, now) for call_id in changed]
            )
        return schemas.CallEventsOut(accepted=len(new), duplicates=len(events) - len(new))

    async def loss_rate(self, day: date) -> schemas.LossRateOut:
        threshold = self.settings.short_abandon_seconds
        counts = await self.repository.day_counts(day, threshold)
        offered, answered = counts["offered"], counts["answered"]
        rate = None if offered == 0 else round(100.0 * (offered - answered) / offered, 2)
        limit = self.settings.call_loss_limit_percent
        if day == self.clock.now().astimezone(self.calendar.zone).date():
            CALL_LOSS_RATE.set(rate or 0.0)
        return schemas.LossRateOut(
            day=day, offered=offered, answered=answered, not_answered=offered - answered,
            short_abandons_left_out=counts["short"], rate_percent=rate, limit_percent=limit,
            breached=rate is not None and rate > limit, formula=FORMULA.format(threshold=threshold),
            short_abandon_seconds=threshold,
        )  # fmt: skip

    async def check_breach(self, day: date) -> bool:
        """Publishes ``CallLossRateBreached`` when the day's rate is over the limit, once per day."""
        figure = await self.loss_rate(day)
        if not figure.breached or figure.rate_percent is None:
            return False
        now = self.clock.now()
        if not await self.repository.record_breach(day, figure.rate_percent, now):
            return False
        breach = ev.CallLossRateBreached(
            day=day, offered=figure.offered, not_answered=figure.not_answered, rate_percent=figure.rate_percent,
            limit_percent=figure.limit_percent, short_abandon_seconds=figure.short_abandon_seconds,
            formula=figure.formula,
        )  # fmt: skip
        await record_event(self.session, breach, subject=f"call-loss-{day.isoformat()}", at=now)
        return True

    async def complaint(self, call_id: str, data: schemas.ComplaintCallIn, actor: Principal) -> schemas.CallOut:
        """§7.1: an inbound complaint goes to a named owner; tickets opens it from the event."""
        call = await self.repository.get(call_id, for_update=True)
        if call.complaint_owner is not None:
            raise Conflict(
                f"call {call_id} was already recorded as a complaint owned by {call.complaint_owner}",
                rule="§7.1.one-complaint-per-call",
            )
        now = self.clock.now()
        call.complaint_owner, call.complaint_summary, call.updated_at = data.owner, data.summary, now
        complaint = ev.InboundComplaintCall(
            call_id=call.call_id, phone=call.phone, owner=data.owner, description=data.summary, order_id=data.order_id,
            customer_id=data.customer_id, category=data.category, recorded_by=actor.subject,
            called_at=call.started_at, recorded_at=now,
        )  # fmt: skip
        await record_event(self.session, complaint, subject=call.call_id, at=now)
        return schemas.CallOut.model_validate(call)

    async def missed(self, page: PageParams) -> Page[schemas.CallOut]:
        rows = await self.repository.missed_page(page)
        return page_of(rows, page, key=lambda r: (r.started_at, r.call_id), item=schemas.CallOut.model_validate)

    async def calls_of(self, day: date, page: PageParams) -> Page[schemas.CallOut]:
        rows = await self.repository.day_page(page, day)
        return page_of(rows, page, key=lambda r: (r.started_at, r.call_id), item=schemas.CallOut.model_validate)

    async def get(self, call_id: str) -> schemas.CallOut:
        return schemas.CallOut.model_validate(await self.repository.get(call_id))
