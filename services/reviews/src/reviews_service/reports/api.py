"""HTTP routes of malicious reviews: E2 report, its outcome, E3 flag (PROCESSES.md §5)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Response, status

from aftersales_chassis import ClockDep, SessionDep, allow, problems, service_router
from aftersales_chassis.auth import Principal
from aftersales_chassis.roles import AgentOrSupervisor
from aftersales_chassis.storage import AttachmentsDep
from aftersales_sla import SlaDep
from aftersales_workflow import TransitionOut

from ..marketplaces.dependencies import MarketplacesDep
from . import schemas
from .service import ReportService
from .state import DECIDERS

router = service_router(
    tags=["malicious reviews"], responses=problems(404, 409, descriptions={404: "Not found: no such case or report"})
)


async def _service(session: SessionDep, clock: ClockDep, sla: SlaDep) -> ReportService:
    return ReportService(session, clock, sla)


Reports = Annotated[ReportService, Depends(_service)]
Decider = Annotated[Principal, Depends(allow(*DECIDERS))]


@router.post(
    "/cases/{case_id}/report", status_code=status.HTTP_201_CREATED, summary="E2 · Report the review to the marketplace"
)
async def report(
    case_id: uuid.UUID,
    body: schemas.ReportIn,
    service: Reports,
    actor: AgentOrSupervisor,
    store: AttachmentsDep,
    port: MarketplacesDep,
    response: Response,
) -> schemas.ReportOut:
    """Roles: agent, supervisor. After E1 (the call confirmed it malicious). A reason from the
    fixed list and at least one piece of evidence (photo, PDF or MP4 up to 10 MiB; the type is
    read from the bytes: 422 `E2.evidence.type` / `.size` / `.not-empty` naming the field)."""
    created = await service.report(case_id, body, actor, store, port)
    response.headers["Location"] = f"/reports/{created.id}"
    return created


@router.get("/cases/{case_id}/report", summary="E2 · The case's report")
async def case_report(case_id: uuid.UUID, service: Reports, _: AgentOrSupervisor) -> schemas.ReportOut:
    return await service.of_case(case_id)


@router.post("/cases/{case_id}/flag", summary="E3 · Record the customer (CustomerFlagged)")
async def flag(
    case_id: uuid.UUID, body: schemas.FlagIn, service: Reports, actor: AgentOrSupervisor
) -> schemas.ReportOut:
    """Roles: agent, supervisor. After E2. Publishes `CustomerFlagged` (tickets and callcenter keep
    it for the customer's next complaint or call) and ends the case."""
    return await service.flag(case_id, body, actor)


@router.get("/reports/{report_id}", summary="E2 · A report, its evidence and outcome")
async def get_report(report_id: uuid.UUID, service: Reports, _: AgentOrSupervisor) -> schemas.ReportOut:
    return await service.get(report_id)


@router.get("/reports/{report_id}/history", summary="Audit trail of the report")
async def report_history(report_id: uuid.UUID, service: Reports, _: AgentOrSupervisor) -> list[TransitionOut]:
    await service.get(report_id)
    return await service.flow.history(report_id)


@router.post("/reports/{report_id}/outcome", summary="E2 · The marketplace's decision on the report")
async def decide(report_id: uuid.UUID, body: schemas.OutcomeIn, service: Reports, actor: Decider) -> schemas.ReportOut:
    """Roles: service (the marketplace gateway), agent, supervisor. Once: `upheld` removes the
    review from every figure; `rejected` leaves it."""
    return await service.decide(report_id, body, actor)


@router.get(
    "/reports/{report_id}/evidence/{evidence_id}",
    summary="E2 · A piece of evidence, as stored",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def evidence(
    report_id: uuid.UUID, evidence_id: uuid.UUID, service: Reports, _: AgentOrSupervisor, store: AttachmentsDep
) -> Response:
    content, content_type = await service.evidence_bytes(report_id, evidence_id, store)
    return Response(content, media_type=content_type)
