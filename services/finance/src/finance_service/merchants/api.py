"""HTTP routes of the merchant ledger: finance reads any merchant's; a merchant its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from aftersales_chassis import Page, PageDep, Principal, SessionDep, allow, problems, service_router
from aftersales_chassis.roles import FINANCE, MERCHANT

from .schemas import MerchantBalanceOut, StatementLineOut
from .service import MerchantLedger

router = service_router(prefix="/merchants", tags=["merchants"])


async def get_merchant_ledger(session: SessionDep) -> MerchantLedger:
    return MerchantLedger(session)


Ledger = Annotated[MerchantLedger, Depends(get_merchant_ledger)]
# Finance, or a merchant reading its own (another merchant's is a 403).
Viewer = Annotated[Principal, Depends(allow(*FINANCE, *MERCHANT))]


@router.get(
    "/{merchant_id}/balance",
    summary="What the ledger says a merchant is owed, in total and per order",
    responses=problems(404, descriptions={404: "The ledger has never posted to this merchant"}),
)
async def merchant_balance(merchant_id: str, ledger: Ledger, viewer: Viewer) -> MerchantBalanceOut:
    return await ledger.balance(merchant_id, viewer)


@router.get(
    "/{merchant_id}/statement",
    summary="Every posting to a merchant's payable, oldest first, with the step that made it",
    responses=problems(404, descriptions={404: "The ledger has never posted to this merchant"}),
)
async def merchant_statement(merchant_id: str, ledger: Ledger, viewer: Viewer, page: PageDep) -> Page[StatementLineOut]:
    return await ledger.statement(merchant_id, viewer, page)
