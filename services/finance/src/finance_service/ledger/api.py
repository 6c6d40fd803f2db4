"""HTTP routes of the ledger (finance role only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from aftersales_chassis import Day, Page, PageDep, problems, service_router
from aftersales_chassis.roles import FinanceOnly

from . import schemas
from .booking import Entry, Leg
from .dependencies import Accounts, Ledger, Reader

router = service_router(prefix="/ledger", tags=["ledger"])


@router.get("/accounts", summary="Accounts with their maintained balances and limits")
async def list_accounts(reader: Reader, _: FinanceOnly, page: PageDep) -> Page[schemas.AccountOut]:
    return await reader.accounts(page)


@router.post("/accounts", summary="Open an account", status_code=status.HTTP_201_CREATED, responses=problems(409))
async def open_account(body: schemas.AccountIn, accounts: Accounts, _: FinanceOnly) -> schemas.AccountOut:
    return await accounts.open(body)


@router.put("/accounts/{code}/limits", summary="Set or clear an account's balance limits", responses=problems(404))
async def set_limits(code: str, body: schemas.LimitsIn, accounts: Accounts, _: FinanceOnly) -> schemas.AccountOut:
    return await accounts.set_limits(code, body)


@router.get("/balances", summary="Balance per account, now or at the end of a business day")
async def list_balances(
    reader: Reader,
    _: FinanceOnly,
    page: PageDep,
    as_of: Annotated[Day | None, Query(description="End of this day (business zone); omit for now.")] = None,
) -> Page[schemas.BalanceOut]:
    return await reader.balances(page, as_of=as_of)


@router.get("/reconciliation", summary="Prove the maintained balances equal the postings")
async def reconciliation(reader: Reader, _: FinanceOnly) -> schemas.ReconciliationOut:
    return await reader.reconciliation()


@router.get("/transactions", summary="Booked transactions, oldest first")
async def list_transactions(
    reader: Reader,
    _: FinanceOnly,
    page: PageDep,
    source: Annotated[str | None, Query(description="e.g. `event:<event id>`")] = None,
    account: Annotated[str | None, Query(description="Account code, e.g. `customer_refunds_payable`")] = None,
    period: Annotated[str | None, Query(description="Accounting month, `YYYY-MM`")] = None,
) -> Page[schemas.TransactionOut]:
    return await reader.transactions(page, source=source, account_code=account, period=period)


@router.get("/transactions/{transaction_id}", summary="One transaction with its postings", responses=problems(404))
async def get_transaction(transaction_id: uuid.UUID, reader: Reader, _: FinanceOnly) -> schemas.TransactionOut:
    return await reader.transaction(transaction_id)


def _entry(body: schemas.TransactionIn, by: str) -> Entry:
    return Entry(
        source=f"api:{body.reference}",
        description=body.description,
        currency=body.currency,
        effective_at=body.effective_at,
        legs=[Leg(leg.account_code, leg.amount_minor, leg.merchant_id, leg.order_id) for leg in body.legs],
        details={**body.details, "booked_by": by},
    )


@router.post(
    "/transactions",
    summary="Book a manual transaction (once per reference)",
    responses={200: {"description": "Booked before: the existing transaction"}, 201: {}, **problems(409)},
    status_code=status.HTTP_201_CREATED,
)
async def book_transaction(
    body: schemas.TransactionIn, ledger: Ledger, reader: Reader, who: FinanceOnly, response: Response
) -> schemas.TransactionOut:
    entry = _entry(body, who.subject)
    if not await ledger.book_many([entry]):
        response.status_code = status.HTTP_200_OK
    return await reader.transaction_by_source(entry.source)


@router.post(
    "/transactions/batch",
    summary="Book up to 1000 transactions in one unit of work (each once per reference)",
    responses=problems(409),
)
async def book_batch(body: schemas.TransactionBatchIn, ledger: Ledger, who: FinanceOnly) -> schemas.BatchOut:
    booked = {b.source: b for b in await ledger.book_many([_entry(t, who.subject) for t in body.transactions])}
    items = [
        schemas.BookedOut(
            id=b.id if b else None, source=f"api:{t.reference}", accounting_date=b.accounting_date if b else None
        )
        for t in body.transactions
        for b in [booked.get(f"api:{t.reference}")]
    ]
    return schemas.BatchOut(booked=len(booked), already_booked=len(items) - len(booked), items=items)


@router.post(
    "/transactions/{transaction_id}/reverse",
    summary="Book the reversing transaction (the only correction)",
    status_code=status.HTTP_201_CREATED,
    responses=problems(404, 409),
)
async def reverse_transaction(
    transaction_id: uuid.UUID, body: schemas.ReversalIn, ledger: Ledger, reader: Reader, who: FinanceOnly
) -> schemas.TransactionOut:
    booked = await ledger.reverse(transaction_id, reason=body.reason, by=who.subject)
    return await reader.transaction(booked.id)
