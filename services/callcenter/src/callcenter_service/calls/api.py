"""HTTP routes of the call log (§7.1). Thin: roles declared, the use case called."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, status

from aftersales_chassis import ClockDep, Day, Page, PageDep, SessionDep, problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, BackOfficeReader, ServiceAccount
from aftersales_sla import SlaDep

from ..callbacks.dependencies import Settings
from . import schemas
from .service import CallLogService
from .telephony import TELEPHONY

router = service_router(
    prefix="/calls", tags=["calls"], responses=problems(404, 409, descriptions={404: "Not found: no such call"})
)


async def _service(session: SessionDep, clock: ClockDep, sla: SlaDep, settings: Settings) -> CallLogService:
    return CallLogService(session, clock, sla.calendar, settings)


CallLog = Annotated[CallLogService, Depends(_service)]
CallId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/events", status_code=status.HTTP_202_ACCEPTED, summary="§7.1 · Call events from the telephony system")
async def record_events(body: schemas.CallEventsIn, service: CallLog, _: ServiceAccount) -> schemas.CallEventsOut:
    """Role: service. Offered, answered, abandoned (with the wait), missed outside hours;
    idempotent by (call id, kind), in any order."""
    return await service.record(TELEPHONY.events(body))


@router.get("/missed", summary="§7.1 · The missed-call list (not yet swept into callbacks)")
async def missed(service: CallLog, _: BackOfficeReader, page: PageDep) -> Page[schemas.CallOut]:
    return await service.missed(page)


@router.get("/loss-rate/{day}", summary="§7.1 · The call-loss rate (呼损率) of a business day, with its formula")
async def loss_rate(day: Day, service: CallLog, _: BackOfficeReader) -> schemas.LossRateOut:
    """The figure, the formula and the short-abandon threshold in force, and whether it passed 25%."""
    return await service.loss_rate(day)


@router.get("/days/{day}", summary="The calls of a business day")
async def calls_of(day: Day, service: CallLog, _: BackOfficeReader, page: PageDep) -> Page[schemas.CallOut]:
    return await service.calls_of(day, page)


@router.get("/{call_id}", summary="One call")
async def get_call(call_id: CallId, service: CallLog, _: BackOfficeReader) -> schemas.CallOut:
    return await service.get(call_id)


@router.post("/{call_id}/complaint", summary="§7.1 · The call was a complaint: hand it to a named owner")
async def complaint(
    call_id: CallId, body: schemas.ComplaintCallIn, service: CallLog, actor: AgentOrSupervisor
) -> schemas.CallOut:
    """Roles: agent, supervisor. Publishes `InboundComplaintCall` (tickets opens the complaint
    with that owner); once per call (409 rule `§7.1.one-complaint-per-call`)."""
    return await service.complaint(call_id, body, actor)
