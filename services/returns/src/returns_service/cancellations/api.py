"""Routes for cancellations (PROCESSES.md §6.1, §6.4)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, status

from aftersales_chassis import ClockDep, SessionDep, problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, BackOfficeReader, WarehouseOnly
from aftersales_sla import SlaDep
from aftersales_workflow import TransitionOut

from ..returns.dependencies import RefundApprover
from . import schemas
from .service import CancellationsService

router = service_router(
    prefix="/cancellations",
    tags=["cancellations"],
    responses=problems(404, 409, descriptions={404: "Not found: no such cancellation or order"}),
)


async def _service(session: SessionDep, clock: ClockDep, sla: SlaDep) -> CancellationsService:
    return CancellationsService(session, clock, sla)


Cancellations = Annotated[CancellationsService, Depends(_service)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="T1 · Customer asks to cancel an order")
async def request(
    body: schemas.CancellationIn, service: Cancellations, actor: AgentOrSupervisor
) -> schemas.CancellationOut:
    """Roles: agent, supervisor. Unpaid → closed; paid, not shipped → the warehouse cancels
    (T1B1, 24 h), publishing `OrderCancellationRequested`; shipped → courier return or refusal, freight
    to the customer when the reason is theirs, publishing `OrderInterceptRequested`. Finance does not
    settle the order until the cancellation resolves."""
    return await service.request(body, actor)


@router.get("/{cancellation_id}", summary="One cancellation")
async def get(cancellation_id: uuid.UUID, service: Cancellations, _: BackOfficeReader) -> schemas.CancellationOut:
    return await service.get(cancellation_id)


@router.get("/{cancellation_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(cancellation_id: uuid.UUID, service: Cancellations, _: BackOfficeReader) -> list[TransitionOut]:
    return await service.history(cancellation_id)


@router.post("/{cancellation_id}/confirm", summary="T1B1 · Warehouse confirms the order is cancelled")
async def confirm(
    cancellation_id: uuid.UUID, body: schemas.ConfirmIn, service: Cancellations, actor: WarehouseOnly
) -> schemas.CancellationOut:
    """Role: warehouse. Publishes `OrderCancellationConfirmed`; the refund (T1B2) may follow."""
    return await service.confirm(cancellation_id, body, actor)


@router.post("/{cancellation_id}/intercepted", summary="§6.4 · The shipped parcel came back")
async def intercepted(
    cancellation_id: uuid.UUID, service: Cancellations, actor: WarehouseOnly
) -> schemas.CancellationOut:
    """Role: warehouse. Publishes `OrderInterceptSucceeded`; the refund (T1B2) may follow."""
    return await service.intercepted(cancellation_id, actor)


@router.post("/{cancellation_id}/intercept-failed", summary="§6.4 · The shipped parcel could not be intercepted")
async def intercept_failed(
    cancellation_id: uuid.UUID, body: schemas.InterceptFailedIn, service: Cancellations, actor: WarehouseOnly
) -> schemas.CancellationOut:
    """Role: warehouse. The order stands (delivered and kept): publishes `OrderInterceptFailed`,
    and finance settles the order again."""
    return await service.intercept_failed(cancellation_id, body, actor)


@router.post("/{cancellation_id}/refund", summary="T1B2 · Refund, only after the cancellation is confirmed")
async def refund(
    cancellation_id: uuid.UUID, body: schemas.CancellationRefundIn, service: Cancellations, actor: RefundApprover
) -> schemas.CancellationOut:
    """Roles: supervisor, or an agent with `refund:approve`. SLA 48 h. Refused (409, rule
    `T1B2.refund-after-cancellation-confirmed`) until the warehouse confirmed the cancellation."""
    return await service.refund(cancellation_id, body, actor)
