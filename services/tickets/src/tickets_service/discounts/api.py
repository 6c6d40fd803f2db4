"""HTTP routes of A5 discounts (PROCESSES.md §1, §10). Thin."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response, status

from aftersales_chassis import ClockDep, Page, PageDep, SessionDep, problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, SupervisorOnly
from aftersales_sla import SlaDep
from aftersales_workflow import TransitionOut

from . import schemas
from .models import DiscountState
from .service import DiscountService, authority, to_out

router = service_router(
    prefix="/discounts",
    tags=["discounts"],
    responses=problems(404, 409, descriptions={404: "Not found: no such discount"}),
)


async def _service(request: Request, session: SessionDep, clock: ClockDep, sla: SlaDep) -> DiscountService:
    return DiscountService(session, clock, sla, request.app.state.settings)


Discounts = Annotated[DiscountService, Depends(_service)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="A5 · An agent grants (or asks for) a discount")
async def request_discount(
    body: schemas.DiscountIn, discounts: Discounts, actor: AgentOrSupervisor, response: Response
) -> schemas.DiscountOut:
    """Roles: agent, supervisor. While the order's granted discounts, this one included, stay
    within the agents' limit (2000 fen; `GET /discounts/authority`) it is `granted` at once and
    `DiscountApproved` published; above it, `pending` until a supervisor other than the requester
    approves. Amounts are JSON integers in fen."""
    created = await discounts.request(body, actor)
    response.headers["Location"] = f"/discounts/{created.id}"
    return created


@router.get("/authority", summary="A5 · The agents' discount authority in force")
async def get_authority(discounts: Discounts, _: AgentOrSupervisor) -> schemas.AuthorityOut:
    """Roles: agent, supervisor."""
    return authority(discounts.settings.discount_agent_limit_minor)


@router.get("", summary="A5 · List discounts, oldest first")
async def list_discounts(
    discounts: Discounts,
    _: AgentOrSupervisor,
    page: PageDep,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    state: Annotated[DiscountState | None, Query(description="`pending`: the supervisors' queue.")] = None,
    requested_by: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[schemas.DiscountOut]:
    """Roles: agent, supervisor."""
    return await discounts.list(page, order_id=order_id, state=state, requested_by=requested_by)


@router.get("/{discount_id}", summary="One discount")
async def get_discount(discount_id: uuid.UUID, discounts: Discounts, _: AgentOrSupervisor) -> schemas.DiscountOut:
    """Roles: agent, supervisor."""
    return await discounts.get(discount_id)


@router.get("/{discount_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(discount_id: uuid.UUID, discounts: Discounts, _: AgentOrSupervisor) -> list[TransitionOut]:
    """Roles: agent, supervisor."""
    return await discounts.history(discount_id)


@router.post("/{discount_id}/approve", summary="A5 · A supervisor approves a discount above the agents' authority")
async def approve(
    discount_id: uuid.UUID, body: schemas.DecisionIn, discounts: Discounts, actor: SupervisorOnly
) -> schemas.DiscountOut:
    """Role: supervisor, never the requester (403 `A5.approver-not-requester`). Publishes
    `DiscountApproved` (finance books it); the order's total grows by it."""
    return await discounts.approve(discount_id, body, actor)


@router.post("/{discount_id}/reject", summary="A5 · A supervisor refuses it")
async def reject(
    discount_id: uuid.UUID, body: schemas.DecisionIn, discounts: Discounts, actor: SupervisorOnly
) -> schemas.DiscountOut:
    """Role: supervisor, never the requester."""
    return await discounts.reject(discount_id, body, actor)


__all__ = ["router", "to_out"]
