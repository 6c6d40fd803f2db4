"""Use cases of the parcel flows after ingestion (PROCESSES.md §6.3): linking a parcel to its
return (M1/M3 → M5), the unclaimed register (M4–M6), and the intact → receipt check
(M7–M12 → T1A5). Methods only flush; the entry point commits."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import (
    Clock,
    DomainError,
    NotFound,
    Page,
    PageParams,
    Principal,
    Role,
    RuleViolation,
    page_of,
)
from aftersales_events import EventPayload, record_event
from aftersales_events.catalogue import parcels as ev
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..returns.models import ReturnRequest, ReturnState
from ..returns.schemas import ReceiptIn, ReceivedLineIn
from ..returns.service import ReturnsService
from . import schemas
from .metrics import PARCELS
from .models import Parcel, ParcelStatus
from .repository import ParcelRepository
from .state import PARCEL_FLOW

log = structlog.get_logger("parcels")


class ParcelService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks, returns: ReturnsService) -> None:
        self.session = session
        self.repository = ParcelRepository(session)
        self.clock = clock
        self.sla = sla
        self.flow = PARCEL_FLOW.bind(session, clock, sla)
        self.returns = returns

    async def emit(self, payload: EventPayload, parcel_id: uuid.UUID) -> None:
        await record_event(self.session, payload, subject=str(parcel_id), at=self.clock.now())

    # -- linking ---------------------------------------------------------------------------

    async def lock_awaiting_return(self, return_id: uuid.UUID) -> ReturnRequest:
        """The return, locked, if it is approved and has no parcel yet; else a clear refusal."""
        record = await self.repository.lock_return(return_id)
        if record is None:
            raise NotFound(f"return {return_id} does not exist", resource="return", id=str(return_id))
        if record.state != ReturnState.approved:
            raise RuleViolation(
                "M3.return-awaiting-parcel",
                f"return {return_id} is '{record.state}': only an approved return awaits its parcel",
                field="body.return_id",
            )
        if (other := await self.repository.parcel_for_return(return_id)) is not None:
            raise RuleViolation(
                "M3.one-parcel-per-return", f"return {return_id} already has parcel {other}", field="body.return_id"
            )
        return record

    async def link(
        self,
        parcel_id: uuid.UUID,
        tracking_number: str,
        record: ReturnRequest,
        rule: str,
        actor: Principal,
        *,
        status: ParcelStatus = ParcelStatus.matched,
    ) -> None:
        """Parcel → return; M: the return's parcel is logged and T1A5's clock starts."""
        now = self.clock.now()
        await self.repository.update(
            parcel_id, status=status, return_id=record.id, matched_by=rule, matched_at=now, updated_at=now
        )
        await self.returns.log_arrival(record.id, actor)
        if status == ParcelStatus.claimed:
            payload: EventPayload = ev.ParcelClaimed(
                parcel_id=parcel_id,
                tracking_number=tracking_number,
                return_id=record.id,
                order_id=record.order_id,
                claimed_by=actor.subject,
                at=now,
            )
        else:
            payload = ev.ParcelMatched(
                parcel_id=parcel_id,
                tracking_number=tracking_number,
                return_id=record.id,
                order_id=record.order_id,
                matched_by=rule,
                matched_at=now,
                actor=actor.subject,
            )
        await self.emit(payload, parcel_id)
        PARCELS.labels(status.value, rule).inc()

    # -- M7–M12 → T1A5 ---------------------------------------------------------------------

    async def flag(self, parcel: Parcel, reason: str, detail: str | None = None) -> None:
        now = self.clock.now()
        await self.repository.update(parcel.id, attention=reason, updated_at=now)
        await self.emit(
            ev.ParcelNeedsAttention(
                parcel_id=parcel.id,
                tracking_number=parcel.tracking_number,
                return_id=parcel.return_id,
                reason=reason,
                detail=detail,
                at=now,
            ),
            parcel.id,
        )
        log.info("parcels.needs_attention", parcel_id=str(parcel.id), reason=reason)

    async def confirm_if_ready(self, parcel_id: uuid.UUID) -> bool:
        """Goods intact and the return's tracking number entered → T1A5 receipt confirmed."""
        parcel = await self.repository.get(parcel_id)
        if parcel.return_id is None or parcel.intact is not True or parcel.receipt_confirmed_at is not None:
            return False
        record = await self.repository.lock_return(parcel.return_id)
        if record is None or record.state != ReturnState.approved:
            return False  # received another way, or no longer awaiting its parcel
        if not record.return_tracking_number:
            await self.flag(parcel, "tracking-number-missing", "T1A4: enter the return tracking number first")
            return False
        lines = parcel.inspected_lines
        receipt = ReceiptIn(
            lines=[ReceivedLineIn(sku=sku, received_quantity=q) for sku, q in lines.items()] if lines else None
        )
        actor = Principal(subject=parcel.inspected_by or "warehouse", roles=frozenset({Role.warehouse}))
        try:
            async with self.session.begin_nested():
                await self.returns.confirm_receipt(record.id, receipt, actor)
        except DomainError as refused:
            await self.flag(parcel, "receipt-refused", refused.detail)
            return False
        now = self.clock.now()
        await self.repository.update(parcel.id, receipt_confirmed_at=now, attention=None, updated_at=now)
        return True

    async def tracking_entered(self, return_id: uuid.UUID) -> bool:
        """T1A4 done after the parcel was inspected intact: the receipt (T1A5) follows now."""
        parcel_id = await self.repository.parcel_for_return(return_id)
        return parcel_id is not None and await self.confirm_if_ready(parcel_id)

    # -- M2–M3: customer service identifies ------------------------------------------------

    async def _require(self, parcel_id: uuid.UUID, action: str) -> Parcel:
        """The parcel, locked, if ``action`` is allowed now (the 409 otherwise)."""
        parcel = await self.repository.get(parcel_id, for_update=True)
        self.flow.require(parcel, action)
        return parcel

    async def identify(self, parcel_id: uuid.UUID, data: schemas.IdentifyIn, actor: Principal) -> schemas.ParcelOut:
        """M3: customer service found the customer → the parcel continues in the return flow (M5)."""
        parcel = await self._require(parcel_id, "identify")
        record = await self.lock_awaiting_return(data.return_id)
        parcel.return_id = record.id  # written with the status: a matched parcel has its return
        await self.flow.apply(parcel, "identify", actor, reason=data.note or f"return {record.id}")
        await self.link(parcel.id, parcel.tracking_number, record, "agent", actor)
        if data.note:
            await self.repository.update(parcel.id, match_note=data.note)
        await self.confirm_if_ready(parcel.id)
        return await self.get(parcel.id)

    async def mark_unclaimed(
        self, parcel_id: uuid.UUID, data: schemas.UnclaimedIn, actor: Principal
    ) -> schemas.ParcelOut:
        """M4–M6: still unknown → the unclaimed-parcel register; held until decided."""
        parcel = await self._require(parcel_id, "unclaimed")
        await self.flow.apply(parcel, "unclaimed", actor, reason=data.note)
        now = self.clock.now()
        await self.repository.update(
            parcel.id,
            status=ParcelStatus.unclaimed,
            unclaimed_at=now,
            unclaimed_by=actor.subject,
            unclaimed_note=data.note,
            disposition="held",
            disposition_at=now,
            updated_at=now,
        )
        await self.emit(
            ev.ParcelUnclaimed(
                parcel_id=parcel.id,
                tracking_number=parcel.tracking_number,
                recorded_by=actor.subject,
                note=data.note,
                at=now,
            ),
            parcel.id,
        )
        PARCELS.labels("unclaimed", "").inc()
        return await self.get(parcel.id)

    async def claim(self, parcel_id: uuid.UUID, data: schemas.ClaimIn, actor: Principal) -> schemas.ParcelOut:
        """M5 later: the owner of an unclaimed parcel turned up; it joins its return."""
        parcel = await self._require(parcel_id, "claim")
        if parcel.disposition in {"returned_to_sender", "disposed"}:
            raise RuleViolation(
                "M6.parcel-gone",
                f"the parcel was {parcel.disposition}: it can no longer be claimed",
                field="path.parcel_id",
            )
        record = await self.lock_awaiting_return(data.return_id)
        parcel.return_id = record.id  # written with the status: a claimed parcel has its return
        await self.flow.apply(parcel, "claim", actor, reason=data.note or f"return {record.id}")
        await self.link(parcel.id, parcel.tracking_number, record, "claim", actor, status=ParcelStatus.claimed)
        await self.repository.update(parcel.id, claimed_by=actor.subject, disposition=None, match_note=data.note)
        await self.confirm_if_ready(parcel.id)
        return await self.get(parcel.id)

    async def dispose(self, parcel_id: uuid.UUID, data: schemas.DispositionIn, actor: Principal) -> schemas.ParcelOut:
        """M6: what happens to an unclaimed parcel (held, returned to the sender, disposed of)."""
        parcel = await self._require(parcel_id, "disposition")
        if parcel.disposition in {"returned_to_sender", "disposed"}:
            raise RuleViolation(
                "M6.parcel-gone", f"the parcel was already {parcel.disposition}", field="path.parcel_id"
            )
        await self.flow.apply(parcel, "disposition", actor, reason=f"{data.disposition}: {data.note or ''}")
        now = self.clock.now()
        await self.repository.update(
            parcel.id,
            disposition=data.disposition,
            disposition_note=data.note,
            disposition_at=now,
            updated_at=now,
        )
        await self.emit(
            ev.ParcelDisposed(
                parcel_id=parcel.id,
                tracking_number=parcel.tracking_number,
                disposition=data.disposition,
                decided_by=actor.subject,
                at=now,
            ),
            parcel.id,
        )
        return await self.get(parcel.id)

    # -- reading ----------------------------------------------------------------------------

    async def get(self, parcel_id: uuid.UUID) -> schemas.ParcelOut:
        return schemas.ParcelOut.model_validate(await self.repository.get(parcel_id))

    async def history(self, parcel_id: uuid.UUID) -> list[TransitionOut]:
        await self.repository.get(parcel_id)
        return await self.flow.history(parcel_id)

    async def scans(self, parcel_id: uuid.UUID) -> list[schemas.ScanOut]:
        parcel = await self.repository.get(parcel_id)
        return [schemas.ScanOut.model_validate(s) for s in await self.repository.scans(parcel.tracking_number)]

    async def search(self, page: PageParams, **filters: Any) -> Page[schemas.ParcelOut]:
        rows = await self.repository.search(page, **filters)
        return page_of(rows, page, key=lambda r: (r.first_scan_at, r.id), item=schemas.ParcelOut.model_validate)

    async def log_runs(self, page: PageParams) -> Page[schemas.LogRunOut]:
        rows = await self.repository.log_runs(page)
        return page_of(rows, page, key=lambda r: (r.run_date,), item=schemas.LogRunOut.model_validate)
