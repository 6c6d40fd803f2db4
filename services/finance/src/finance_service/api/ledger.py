"""HTTP routes of the ledger (finance role only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from aftersales_chassis import Page, PageDep, service_router

from . import schemas
from .dependencies import Finance, Ledger

router = service_router(
    prefix="/ledger",
    tags=["ledger"],
    responses={401: {"description": "No or invalid token"}, 403: {"description": "Finance role only"}},
)


@router.get("/accounts", summary="Accounts with their maintained balances")
async def list_accounts(ledger: Ledger, _: Finance) -> list[schemas.AccountOut]:
    return await ledger.accounts()


@router.get("/transactions", summary="Booked transactions, oldest first")
async def list_transactions(
    ledger: Ledger,
    _: Finance,
    page: PageDep,
    source: Annotated[str | None, Query(description="e.g. `event:<event id>`")] = None,
    account: Annotated[str | None, Query(description="Account code, e.g. `customer_refunds_payable`")] = None,
) -> Page[schemas.TransactionOut]:
    return await ledger.transactions(page, source=source, account_code=account)


@router.get("/transactions/{transaction_id}", summary="One transaction with its postings", responses={404: {}})
async def get_transaction(transaction_id: uuid.UUID, ledger: Ledger, _: Finance) -> schemas.TransactionOut:
    return await ledger.transaction(transaction_id)
