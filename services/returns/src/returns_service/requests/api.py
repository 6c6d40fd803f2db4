"""Routes for refund requests (PROCESSES.md §6.1 T1, §6.2 T1A1)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response, status

from aftersales_chassis import ClockDep, Page, PageDep, SessionDep, problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, BackOfficeReader
from aftersales_sla import SlaDep
from aftersales_workflow import TransitionOut

from ..returns.dependencies import Canceller, Requester
from . import schemas
from .models import RefundRequestState
from .service import RefundRequestsService

router = service_router(
    prefix="/refund-requests",
    tags=["refund requests"],
    responses=problems(404, 409, descriptions={404: "Not found: no such refund request"}),
)


async def _service(session: SessionDep, clock: ClockDep, sla: SlaDep) -> RefundRequestsService:
    return RefundRequestsService(session, clock, sla)


RefundRequests = Annotated[RefundRequestsService, Depends(_service)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="T1 · Customer asks for a refund (退款申请)")
async def open_request(
    body: schemas.RefundRequestIn, service: RefundRequests, actor: Requester, response: Response
) -> schemas.RefundRequestOut:
    """Roles: customer (their own order only), agent, supervisor, service (the shop frontend).
    Starts T1: the agent has 24 h to check whether the order shipped. Unknown order: 422
    (`T1.order-known`); a request already in progress for the order: 409."""
    created = await service.open(body, actor)
    response.headers["Location"] = f"/refund-requests/{created.id}"
    return created


@router.get("", summary="List refund requests")
async def list_requests(
    service: RefundRequests,
    _: BackOfficeReader,
    page: PageDep,
    state: Annotated[RefundRequestState | None, Query(description="Filter by state.")] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[schemas.RefundRequestOut]:
    return await service.list(page, state=state, order_id=order_id)


@router.get("/{request_id}", summary="One refund request, with the actions allowed now")
async def get_request(request_id: uuid.UUID, service: RefundRequests, _: BackOfficeReader) -> schemas.RefundRequestOut:
    return await service.get(request_id)


@router.get("/{request_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(request_id: uuid.UUID, service: RefundRequests, _: BackOfficeReader) -> list[TransitionOut]:
    return await service.history(request_id)


@router.post("/{request_id}/route", summary="T1 · Check whether the order shipped and route the request")
async def route(
    request_id: uuid.UUID, body: schemas.RouteIn, service: RefundRequests, actor: AgentOrSupervisor
) -> schemas.RefundRequestOut:
    """Roles: agent, supervisor. Reads the order: paid, not shipped → a cancellation is opened
    (state `cancellation`, T1B1's 24 h for the warehouse); unpaid → `closed`; shipped or signed →
    `negotiating`, and T1A1's 24 h to agree the return start. T1 stops either way. File the agreed
    return with `POST /returns` and `refund_request_id` (T1A2)."""
    return await service.route(request_id, body, actor)


@router.post("/{request_id}/agree", summary="T1A1 · The return is agreed with the customer; T1A2's 24 h start")
async def agree(
    request_id: uuid.UUID, body: schemas.AgreeIn, service: RefundRequests, actor: AgentOrSupervisor
) -> schemas.RefundRequestOut:
    """Roles: agent, supervisor. On a `negotiating` request: T1A1 stops, and T1A2's 24 h to file
    the return (`POST /returns` with `refund_request_id`) start. The request stays `negotiating`
    until the return is filed; agreeing again (terms renegotiated) keeps the T1A2 clock."""
    return await service.agree(request_id, body, actor)


@router.post("/{request_id}/withdraw", summary="T1 / T1A1 · Withdraw: the customer changed their mind, or no agreement")
async def withdraw(
    request_id: uuid.UUID, body: schemas.WithdrawIn, service: RefundRequests, actor: Canceller
) -> schemas.RefundRequestOut:
    """Roles: customer (their own order only), agent, supervisor. Stops the running clock (T1 or T1A1)."""
    return await service.withdraw(request_id, body, actor)
