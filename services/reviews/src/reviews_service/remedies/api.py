"""HTTP routes of remedies (Z4 → Z5 → Z6, PROCESSES.md §5)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response, status

from aftersales_chassis import ClockDep, SessionDep, problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, SupervisorOnly
from aftersales_sla import SlaDep
from aftersales_workflow import TransitionOut

from . import schemas
from .service import RemedyService

router = service_router(
    prefix="/remedies", tags=["remedies"], responses=problems(404, 409, descriptions={404: "Not found: no such remedy"})
)


async def _service(session: SessionDep, clock: ClockDep, sla: SlaDep) -> RemedyService:
    return RemedyService(session, clock, sla)


Remedies = Annotated[RemedyService, Depends(_service)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Z4 · Propose a remedy agreed with the customer")
async def propose(
    body: schemas.RemedyIn, service: Remedies, actor: AgentOrSupervisor, response: Response
) -> schemas.RemedyOut:
    """Roles: agent, supervisor. After Z3 on a quality case (409 `Z4.after-z3` before). All live
    remedies for the order (proposed, approved, agreed) may total at most its paid price, exactly
    (422 `Z4.remedy-within-paid-price` with what is left), a supervisor's too. Never conditional
    on the review being amended: no field can say so."""
    created = await service.propose(body, actor)
    response.headers["Location"] = f"/remedies/{created.id}"
    return created


@router.get("", summary="A case's remedies, oldest first")
async def list_remedies(
    case_id: Annotated[uuid.UUID, Query(description="The review case.")], service: Remedies, _: AgentOrSupervisor
) -> list[schemas.RemedyOut]:
    """Roles: agent, supervisor. Every remedy of the case, whatever its state."""
    return await service.of_case(case_id)


@router.get("/{remedy_id}", summary="A remedy, with the actions allowed now")
async def get_remedy(remedy_id: uuid.UUID, service: Remedies, _: AgentOrSupervisor) -> schemas.RemedyOut:
    return await service.get(remedy_id)


@router.get("/{remedy_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(remedy_id: uuid.UUID, service: Remedies, _: AgentOrSupervisor) -> list[TransitionOut]:
    return await service.history(remedy_id)


@router.post("/{remedy_id}/approve", summary="Z5 · Supervisor approves the remedy")
async def approve(
    remedy_id: uuid.UUID, body: schemas.DecisionIn, service: Remedies, actor: SupervisorOnly
) -> schemas.RemedyOut:
    """Role: supervisor, not the one who proposed it (403 `Z5.different-person`)."""
    return await service.approve(remedy_id, body, actor)


@router.post("/{remedy_id}/reject", summary="Z5 · Supervisor rejects the remedy")
async def reject(
    remedy_id: uuid.UUID, body: schemas.DecisionIn, service: Remedies, actor: SupervisorOnly
) -> schemas.RemedyOut:
    """Role: supervisor, not the proposer. Its amount no longer counts against the paid price."""
    return await service.reject(remedy_id, body, actor)


@router.post("/{remedy_id}/agree", summary="Z6 · Agreed with the customer: RemedyApproved for finance")
async def agree(
    remedy_id: uuid.UUID, body: schemas.DecisionIn, service: Remedies, actor: AgentOrSupervisor
) -> schemas.RemedyOut:
    """Roles: agent, supervisor. Publishes `RemedyApproved`, which finance books."""
    return await service.agree(remedy_id, body, actor)


@router.post("/{remedy_id}/decline", summary="Z6 · The customer declined the approved remedy")
async def decline(
    remedy_id: uuid.UUID, body: schemas.DecisionIn, service: Remedies, actor: AgentOrSupervisor
) -> schemas.RemedyOut:
    return await service.decline(remedy_id, body, actor)
