"""HTTP routes of the returns flow. Each names its process step (PROCESSES.md §6.2)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from aftersales_chassis import Page, PageDep, problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, BackOfficeReader, SupervisorOnly, WarehouseOnly
from aftersales_workflow import TransitionOut

from ..parcels.dependencies import Parcels
from . import schemas
from .dependencies import Canceller, Exchanges, RefundApprover, Refunds, Service
from .models import ReturnState

router = service_router(
    prefix="/returns", tags=["returns"], responses=problems(404, 409, descriptions={404: "Not found: no such return"})
)


@router.post("", status_code=status.HTTP_201_CREATED, summary="T1A2 · File a return after shipment")
async def open_return(
    body: schemas.ReturnCreate, service: Service, actor: AgentOrSupervisor, response: Response
) -> schemas.ReturnOut:
    """Roles: agent, supervisor. SLA 24 h. The requested refund may not exceed the
    returned lines plus freight the shop bears. With `refund_request_id`, the request agreed in
    T1A1 (`negotiating`, same order) becomes `filed` and T1A1 stops; another state: 409.
    Without it, the order's `negotiating` request, if it has exactly one, is filed the same way."""
    created = await service.open_return(body, actor)
    response.headers["Location"] = f"/returns/{created.id}"
    return created


@router.get("", summary="List returns")
async def list_returns(
    service: Service,
    _: BackOfficeReader,
    page: PageDep,
    state: Annotated[ReturnState | None, Query(description="Filter by state.")] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[schemas.ReturnOut]:
    return await service.list(page, state=state, order_id=order_id)


@router.get("/{return_id}", summary="Get a return, with the actions allowed now")
async def get_return(return_id: uuid.UUID, service: Service, _: BackOfficeReader) -> schemas.ReturnOut:
    return await service.get(return_id)


@router.get("/{return_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(return_id: uuid.UUID, service: Service, _: BackOfficeReader) -> list[TransitionOut]:
    return await service.history(return_id)


@router.post("/{return_id}/approve", summary="T1A3 · Supervisor approves the return")
async def approve(
    return_id: uuid.UUID, body: schemas.ApproveIn, service: Service, actor: SupervisorOnly
) -> schemas.ReturnOut:
    """Role: supervisor. SLA: a decision within 1 working day (seed 003)."""
    return await service.approve(return_id, body, actor)


@router.post("/{return_id}/reject", summary="T1A3 · Supervisor rejects the return")
async def reject(
    return_id: uuid.UUID, body: schemas.RejectIn, service: Service, actor: SupervisorOnly
) -> schemas.ReturnOut:
    """Role: supervisor. A reason is required."""
    return await service.reject(return_id, body, actor)


@router.post("/{return_id}/tracking", summary="T1A4 · Enter the customer's return tracking number")
async def enter_tracking(
    return_id: uuid.UUID, body: schemas.TrackingIn, service: Service, parcels: Parcels, actor: AgentOrSupervisor
) -> schemas.ReturnOut:
    """Roles: agent, supervisor. SLA 24 h from approval. The warehouse matches parcels on it (M1);
    a parcel already inspected intact is received (T1A5) at once."""
    entered = await service.enter_tracking(return_id, body, actor)
    return await service.get(return_id) if await parcels.tracking_entered(return_id) else entered


@router.post("/{return_id}/cancel", summary="Withdraw the return (customer or agent), until the parcel is received")
async def cancel(return_id: uuid.UUID, body: schemas.CancelIn, service: Service, actor: Canceller) -> schemas.ReturnOut:
    """Roles: customer (their own order only), agent, supervisor. After receipt or a refund: 409."""
    return await service.cancel(return_id, body, actor)


@router.post("/{return_id}/arrival", summary="M · Warehouse logs the return parcel's arrival")
async def log_arrival(return_id: uuid.UUID, service: Service, actor: WarehouseOnly) -> schemas.ReturnOut:
    """Role: warehouse. Starts T1A5's 24 h to confirm receipt."""
    return await service.log_arrival(return_id, actor)


@router.post("/{return_id}/receipt", summary="T1A5 · Warehouse confirms receipt")
async def confirm_receipt(
    return_id: uuid.UUID, body: schemas.ReceiptIn, service: Service, actor: WarehouseOnly
) -> schemas.ReturnOut:
    """Role: warehouse. SLA 24 h. Publishes `ReturnReceived`."""
    return await service.confirm_receipt(return_id, body, actor)


@router.post("/{return_id}/refund", summary="T2A · Approve the refund (→ T1B2)")
async def approve_refund(
    return_id: uuid.UUID, body: schemas.RefundIn, refunds: Refunds, actor: RefundApprover
) -> schemas.ReturnOut:
    """Roles: supervisor, or an agent with the `refund:approve` scope. SLA 48 h.
    Never above the received lines' value (as paid) plus freight the shop bears; goodwill on
    top needs a supervisor. Publishes `RefundApproved` (finance books it); the payment port
    then pays it out and `RefundIssued` follows."""
    return await refunds.approve_refund(return_id, body, actor)


@router.post("/{return_id}/refund-hold", summary="T2A · Hold the refund of a received return (inspection pending)")
async def hold_refund(
    return_id: uuid.UUID, body: schemas.HoldIn, refunds: Refunds, actor: SupervisorOnly
) -> schemas.ReturnOut:
    """Role: supervisor. The parcel stays received; T2A's 48 h and T2's 3 wd pause until released."""
    return await refunds.hold(return_id, body, actor)


@router.post("/{return_id}/refund-release", summary="T2A · Release a held refund")
async def release_refund(return_id: uuid.UUID, refunds: Refunds, actor: SupervisorOnly) -> schemas.ReturnOut:
    """Role: supervisor. T2A's and T2's clocks resume with the time they had left."""
    return await refunds.release(return_id, actor)


@router.post("/{return_id}/refund-without-parcel", summary="T2A · Refund with no parcel (goodwill, lost in transit)")
async def refund_without_parcel(
    return_id: uuid.UUID, body: schemas.RefundWithoutParcelIn, refunds: Refunds, actor: SupervisorOnly
) -> schemas.ReturnOut:
    """Role: supervisor. For an approved return whose parcel never came, or as goodwill;
    never above what the order paid."""
    return await refunds.refund_without_parcel(return_id, body, actor)


@router.post("/{return_id}/exchange", summary="T2B → T3A1 · Exchange for equal value (replacement order placed)")
async def request_exchange(
    return_id: uuid.UUID, body: schemas.ExchangeIn, exchanges: Exchanges, actor: AgentOrSupervisor
) -> schemas.ReturnOut:
    """Roles: agent, supervisor. A different value is T3B1 (refund and reorder): 422 with the difference."""
    return await exchanges.request_exchange(return_id, body, actor)


@router.post("/{return_id}/exchange/ship", summary="T3A2 · Warehouse ships the replacement")
async def ship_exchange(return_id: uuid.UUID, exchanges: Exchanges, actor: WarehouseOnly) -> schemas.ReturnOut:
    """Role: warehouse. Publishes `ExchangeShipped`."""
    return await exchanges.ship_exchange(return_id, actor)


@router.post("/{return_id}/stock-in", summary="T1B3 / T3A4 · Returned goods back in stock")
async def stock_in(return_id: uuid.UUID, exchanges: Exchanges, actor: WarehouseOnly) -> schemas.ReturnOut:
    """Role: warehouse. After a refund (T1B3, SLA 24 h) or a shipped exchange (T3A4).
    Publishes `ItemsStockedIn`."""
    return await exchanges.stock_in(return_id, actor)
