"""HTTP routes of merchant settlement (§8): finance runs them; a merchant reads its own."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response, status

from aftersales_chassis import ClockDep, Page, PageDep, Principal, SessionDep, allow, problems, service_router
from aftersales_chassis.csv import CSV_DOCUMENT, csv_response
from aftersales_chassis.roles import FINANCE, MERCHANT, FinanceOnly
from aftersales_workflow import TransitionOut

from ..business_calendar import CalendarDep
from ..months import parse_month
from .models import SettlementStatus
from .schemas import DraftIn, OrderFormIn, OrderFormOut, SettlementDetail, SettlementOut
from .service import CSV_COLUMNS, SettlementService

router = service_router(prefix="/settlements", tags=["settlements"])


async def get_settlements(session: SessionDep, clock: ClockDep, calendar: CalendarDep) -> SettlementService:
    return SettlementService(session, clock, calendar)


Settlements = Annotated[SettlementService, Depends(get_settlements)]
# Finance, or a merchant reading its own settlements.
Viewer = Annotated[Principal, Depends(allow(*FINANCE, *MERCHANT))]


@router.get("", summary="Settlements, newest month first (a merchant sees only its own)")
async def list_settlements(
    settlements: Settlements,
    viewer: Viewer,
    page: PageDep,
    merchant_id: Annotated[str | None, Query()] = None,
    status_: Annotated[SettlementStatus | None, Query(alias="status")] = None,
) -> Page[SettlementOut]:
    return await settlements.list(page, viewer, merchant_id=merchant_id, status=status_)


@router.post(
    "",
    summary="Create or recompute the draft of a merchant's month (approved/booked ones are frozen)",
    status_code=status.HTTP_201_CREATED,
    responses=problems(409),
)
async def create_draft(body: DraftIn, settlements: Settlements, who: FinanceOnly) -> SettlementDetail:
    return await settlements.draft(body.merchant_id, parse_month(body.month), who)


@router.get(
    "/{settlement_id}", summary="A settlement with every included, excluded and offset line", responses=problems(404)
)
async def get_settlement(settlement_id: uuid.UUID, settlements: Settlements, viewer: Viewer) -> SettlementDetail:
    return await settlements.get(settlement_id, viewer)


@router.get(
    "/{settlement_id}/history",
    summary="Audit trail: every transition with who, when (a merchant sees its own settlements')",
    responses=problems(404),
)
async def get_history(settlement_id: uuid.UUID, settlements: Settlements, viewer: Viewer) -> list[TransitionOut]:
    return await settlements.history(settlement_id, viewer)


@router.get(
    "/{settlement_id}/csv",
    summary="The settlement as a CSV document",
    response_class=Response,
    responses={**CSV_DOCUMENT, **problems(404)},
)
async def settlement_csv(settlement_id: uuid.UUID, settlements: Settlements, viewer: Viewer) -> Response:
    settlement, rows = await settlements.csv_rows(settlement_id, viewer)
    filename = f"settlement-{settlement.merchant_id}-{settlement.month:%Y-%m}.csv"
    return csv_response(rows, columns=CSV_COLUMNS, filename=filename)


@router.post(
    "/{settlement_id}/approve",
    summary="Approve a draft (by someone other than its creator); it must still be current",
    responses=problems(404, 409),
)
async def approve(settlement_id: uuid.UUID, settlements: Settlements, who: FinanceOnly) -> SettlementDetail:
    return await settlements.approve(settlement_id, who)


@router.post("/{settlement_id}/book", summary="Book an approved settlement in the ledger", responses=problems(404, 409))
async def book(settlement_id: uuid.UUID, settlements: Settlements, who: FinanceOnly) -> SettlementDetail:
    return await settlements.book(settlement_id, who)


@router.put(
    "/orders/{order_id}/order-form",
    summary="Finance marks an order's order form missing or recovered",
    responses=problems(409),
)
async def order_form(order_id: str, body: OrderFormIn, settlements: Settlements, _: FinanceOnly) -> OrderFormOut:
    return await settlements.mark_order_form(order_id, missing=body.missing, note=body.note)
