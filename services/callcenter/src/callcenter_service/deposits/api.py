"""HTTP routes of deposit cancellations (§7.3). Thin: roles declared, the use case called."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, status

from aftersales_chassis import ClockDep, Day, Principal, SessionDep, allow, problems, service_router
from aftersales_chassis.csv import JSON_OR_CSV, JsonOrCsv, csv_response
from aftersales_chassis.roles import FINANCE, STAFF, AgentOrSupervisor
from aftersales_sla import SlaDep
from aftersales_workflow import TransitionOut

from . import schemas
from .service import DepositService
from .state import RECORDERS

router = service_router(
    prefix="/deposit-cancellations",
    tags=["deposit cancellations"],
    responses=problems(404, 409, descriptions={404: "Not found: no such deposit cancellation"}),
)


async def _service(session: SessionDep, clock: ClockDep, sla: SlaDep) -> DepositService:
    return DepositService(session, clock, sla)


Deposits = Annotated[DepositService, Depends(_service)]
Recorder = Annotated[Principal, Depends(allow(*RECORDERS))]
LedgerReader = Annotated[Principal, Depends(allow(*STAFF, *FINANCE))]


@router.post("", status_code=status.HTTP_201_CREATED, summary="§7.3 · Book a deposit cancellation (3 wd ahead)")
async def book(
    body: schemas.DepositCancellationIn, service: Deposits, actor: AgentOrSupervisor
) -> schemas.DepositCancellationOut:
    """Roles: agent, supervisor. Earlier than 3 working days ahead: 422 rule
    `§7.3.three-working-days-ahead` with `earliest_allowed`. The merchant is asked today."""
    return await service.book(body, actor)


@router.get("/awaiting-merchant", summary="§7.3 · The merchant's task: cancellations to answer")
async def awaiting(service: Deposits, actor: Recorder) -> list[schemas.DepositCancellationOut]:
    """Roles: agent, supervisor, merchant (its own only)."""
    return await service.awaiting(actor)


@router.get("/ledger/{day}", summary="§7.3 · The daily cancellation ledger", responses=JSON_OR_CSV)
async def ledger(day: Day, service: Deposits, _: LedgerReader, format: JsonOrCsv = "json") -> Any:
    """Roles: agent, supervisor, finance. Every cancellation booked that day, JSON or CSV."""
    rows = await service.ledger(day)
    if format == "csv":
        return csv_response(rows, columns=schemas.LEDGER_COLUMNS, filename=f"deposit-cancellations-{day}.csv")
    return {"day": day.isoformat(), "rows": rows}


@router.get("/{cancellation_id}", summary="One deposit cancellation")
async def get(cancellation_id: uuid.UUID, service: Deposits, actor: Recorder) -> schemas.DepositCancellationOut:
    """Roles: agent, supervisor, merchant (its own; another's is a 404)."""
    return await service.get(cancellation_id, actor)


@router.get("/{cancellation_id}/history", summary="Audit trail: every transition with who, when, why")
async def history(cancellation_id: uuid.UUID, service: Deposits, _: AgentOrSupervisor) -> list[TransitionOut]:
    return await service.history(cancellation_id)


@router.post("/{cancellation_id}/outcome", summary="§7.3 · The merchant's answer: cancelled, or refused with why")
async def record(
    cancellation_id: uuid.UUID, body: schemas.OutcomeIn, service: Deposits, actor: Recorder
) -> schemas.DepositCancellationOut:
    """Roles: agent, supervisor, merchant (its own). Publishes `DepositCancelled` (finance
    reconciles the cancellation float); once (409 after)."""
    return await service.record(cancellation_id, body, actor)
