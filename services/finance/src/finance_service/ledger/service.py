"""Use cases of the ledger beyond booking: opening accounts and setting their limits, and
reading it (accounts, transactions, balances now and as of a day, and the reconciliation
check that proves the maintained figures equal the postings)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, NotFound, Page, PageParams, RuleViolation, page_of

from ..months import parse_month
from . import schemas
from .models import Account, LedgerTransaction
from .repository import LedgerRepository


class AccountService:
    """Opening accounts and setting their limits (finance's chart beyond the migrations')."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.repo = LedgerRepository(session)

    async def open(self, body: schemas.AccountIn) -> schemas.AccountOut:
        if await self.repo.account_exists(body.code):
            raise Conflict(f"account {body.code} exists", resource="account")
        _check_limits(0, body.min_balance_minor, body.max_balance_minor)
        account = Account(
            code=body.code,
            name=body.name,
            type=body.type,
            currency=body.currency,
            balance_minor=0,
            min_balance_minor=body.min_balance_minor,
            max_balance_minor=body.max_balance_minor,
            created_at=self.clock.now(),
        )
        self.session.add(account)
        await self.session.flush()
        return schemas.AccountOut.model_validate(account)

    async def set_limits(self, code: str, body: schemas.LimitsIn) -> schemas.AccountOut:
        account = await self.repo.account_for_update(code)
        if account is None:
            raise NotFound(f"account {code} does not exist", resource="account")
        _check_limits(account.balance_minor, body.min_balance_minor, body.max_balance_minor)
        account.min_balance_minor = body.min_balance_minor
        account.max_balance_minor = body.max_balance_minor
        await self.session.flush()
        return schemas.AccountOut.model_validate(account)


def _check_limits(balance: int, low: int | None, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise RuleViolation("ledger.limits-order", "min_balance_minor is above max_balance_minor")
    if (low is not None and balance < low) or (high is not None and balance > high):
        raise RuleViolation("ledger.balance-limit", f"the balance {balance} is outside the new limits")


class LedgerReader:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.clock = clock
        self.repo = LedgerRepository(session)

    async def accounts(self, page: PageParams) -> Page[schemas.AccountOut]:
        rows = await self.repo.accounts(limit=page.fetch_size, after=page.after(str))
        return page_of(rows, page, key=lambda a: (a.code,), item=schemas.AccountOut.model_validate)

    async def balances(self, page: PageParams, *, as_of: date | None) -> Page[schemas.BalanceOut]:
        """Per account: the maintained balance, or the sum of its daily rows up to ``as_of``."""
        rows = await self.repo.balances(as_of=as_of, limit=page.fetch_size, after=page.after(str))
        return page_of(
            rows,
            page,
            key=lambda row: (row.code,),
            item=lambda row: schemas.BalanceOut(
                account_code=row.code, type=row.type, currency=row.currency, balance_minor=int(row.balance), as_of=as_of
            ),
        )

    async def transaction(self, transaction_id: uuid.UUID) -> schemas.TransactionOut:
        found = await self.repo.with_postings(transaction_id=transaction_id)
        return await self._out(found, str(transaction_id))

    async def transaction_by_source(self, source: str) -> schemas.TransactionOut:
        return await self._out(await self.repo.with_postings(source=source), source)

    async def _out(self, found: LedgerTransaction | None, name: str) -> schemas.TransactionOut:
        if found is None:
            raise NotFound(f"transaction {name} does not exist", resource="transaction")
        return to_out(found, await self.repo.account_codes())

    async def transactions(
        self, page: PageParams, *, source: str | None, account_code: str | None, period: str | None
    ) -> Page[schemas.TransactionOut]:
        rows = await self.repo.transactions(
            source=source,
            account_code=account_code,
            month=parse_month(period) if period else None,
            limit=page.fetch_size,
            after=page.after(datetime, uuid.UUID),
        )
        codes = await self.repo.account_codes()
        return page_of(rows, page, key=lambda t: (t.booked_at, t.id), item=lambda t: to_out(t, codes))

    async def reconciliation(self) -> schemas.ReconciliationOut:
        """Recomputes every maintained figure from the postings (the one full scan)."""
        checks = await self.repo.reconciliation()
        return schemas.ReconciliationOut(ok=not any(checks.values()), checked_at=self.clock.now(), discrepancies=checks)

    async def month_totals(self, month: date) -> dict[str, int]:
        """Debits − credits of the month per currency: zero when the month balances."""
        return await self.repo.month_totals(month)


def to_out(transaction: LedgerTransaction, codes: dict[uuid.UUID, str]) -> schemas.TransactionOut:
    return schemas.TransactionOut(
        id=transaction.id,
        source=transaction.source,
        description=transaction.description,
        currency=transaction.currency,
        effective_at=transaction.effective_at,
        accounting_date=transaction.accounting_date,
        booked_at=transaction.booked_at,
        reverses_id=transaction.reverses_id,
        details=transaction.details,
        postings=[
            schemas.PostingOut(
                account_code=codes[p.account_id],
                amount_minor=p.amount_minor,
                currency=p.currency,
                merchant_id=p.merchant_id,
                order_id=p.order_id,
            )
            for p in transaction.postings
        ],
    )
