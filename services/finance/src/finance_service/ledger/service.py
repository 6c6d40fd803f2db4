"""Reading the ledger: accounts, transactions, balances (now and as of a day), and the
reconciliation check that proves the maintained figures equal the postings."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aftersales_chassis import Clock, NotFound, Page, PageParams, RuleViolation, dates, page_of

from . import schemas
from .booking import month_of, next_month
from .models import Account, AccountDailyBalance, LedgerTransaction, Posting

RECONCILIATION = {
    "balances_equal_postings": (
        "SELECT count(*) FROM accounts a LEFT JOIN (SELECT account_id, sum(amount_minor) AS total"
        " FROM postings GROUP BY account_id) p ON p.account_id = a.id"
        " WHERE a.balance_minor <> coalesce(p.total, 0)"
    ),
    "daily_balances_equal_postings": (
        "SELECT count(*) FROM accounts a LEFT JOIN (SELECT account_id, sum(debit_minor - credit_minor) AS total"
        " FROM account_daily_balances GROUP BY account_id) d ON d.account_id = a.id"
        " WHERE a.balance_minor <> coalesce(d.total, 0)"
    ),
    "transactions_balanced": (
        "SELECT count(*) FROM (SELECT transaction_id FROM postings GROUP BY transaction_id"
        " HAVING sum(amount_minor) <> 0 OR count(*) < 2 OR count(DISTINCT currency) <> 1) t"
    ),
    "currencies_sum_to_zero": (
        "SELECT count(*) FROM (SELECT currency FROM accounts GROUP BY currency HAVING sum(balance_minor) <> 0) c"
    ),
    "transactions_without_postings": (
        "SELECT count(*) FROM ledger_transactions t"
        " WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.transaction_id = t.id)"
    ),
}


def parse_month(value: str) -> date:
    try:
        return dates.parse_month(value)
    except ValueError as error:
        raise RuleViolation("period.format", f"'{value}': {error}", parameter="month") from error


class LedgerReader:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def accounts(self, page: PageParams) -> Page[schemas.AccountOut]:
        query = select(Account).order_by(Account.code).limit(page.fetch_size)
        if (after := page.after(str)) is not None:
            query = query.where(Account.code > after[0])
        rows = list(await self.session.scalars(query))
        return page_of(rows, page, key=lambda a: (a.code,), item=schemas.AccountOut.model_validate)

    async def account(self, code: str) -> Account:
        found = await self.session.scalar(select(Account).where(Account.code == code))
        if found is None:
            raise NotFound(f"account {code} does not exist", resource="account")
        return found

    async def balances(self, page: PageParams, *, as_of: date | None) -> Page[schemas.BalanceOut]:
        """Per account: the maintained balance, or the sum of its daily rows up to ``as_of``."""
        if as_of is None:
            balance: ColumnElement[int] = Account.balance_minor.expression
            query = select(Account.code, Account.type, Account.currency, balance.label("balance"))
        else:
            balance = func.coalesce(func.sum(AccountDailyBalance.debit_minor - AccountDailyBalance.credit_minor), 0)
            query = (
                select(Account.code, Account.type, Account.currency, balance.label("balance"))
                .outerjoin(
                    AccountDailyBalance,
                    (AccountDailyBalance.account_id == Account.id) & (AccountDailyBalance.day <= as_of),
                )
                .group_by(Account.id)
            )
        if (after := page.after(str)) is not None:
            query = query.where(Account.code > after[0])
        rows = (await self.session.execute(query.order_by(Account.code).limit(page.fetch_size))).all()
        return page_of(
            rows,
            page,
            key=lambda row: (row.code,),
            item=lambda row: schemas.BalanceOut(
                account_code=row.code, type=row.type, currency=row.currency, balance_minor=int(row.balance), as_of=as_of
            ),
        )

    async def transaction(self, transaction_id: uuid.UUID) -> schemas.TransactionOut:
        return await self._one(LedgerTransaction.id == transaction_id, str(transaction_id))

    async def transaction_by_source(self, source: str) -> schemas.TransactionOut:
        return await self._one(LedgerTransaction.source == source, source)

    async def _one(self, where: ColumnElement[bool], name: str) -> schemas.TransactionOut:
        found = await self.session.scalar(
            select(LedgerTransaction).where(where).options(selectinload(LedgerTransaction.postings))
        )
        if found is None:
            raise NotFound(f"transaction {name} does not exist", resource="transaction")
        return to_out(found, await self._codes())

    async def transactions(
        self, page: PageParams, *, source: str | None, account_code: str | None, period: str | None
    ) -> Page[schemas.TransactionOut]:
        query = select(LedgerTransaction).options(selectinload(LedgerTransaction.postings))
        if source:
            query = query.where(LedgerTransaction.source == source)
        if account_code:
            query = query.where(
                LedgerTransaction.id.in_(
                    select(Posting.transaction_id)
                    .join(Account, Account.id == Posting.account_id)
                    .where(Account.code == account_code)
                )
            )
        if period:
            month = parse_month(period)
            query = query.where(
                LedgerTransaction.accounting_date >= month, LedgerTransaction.accounting_date < next_month(month)
            )
        if (after := page.after(datetime, uuid.UUID)) is not None:
            query = query.where(tuple_(LedgerTransaction.booked_at, LedgerTransaction.id) > after)
        query = query.order_by(LedgerTransaction.booked_at, LedgerTransaction.id).limit(page.fetch_size)
        rows = list(await self.session.scalars(query))
        codes = await self._codes()
        return page_of(rows, page, key=lambda t: (t.booked_at, t.id), item=lambda t: to_out(t, codes))

    async def reconciliation(self) -> schemas.ReconciliationOut:
        """Recomputes every maintained figure from the postings (the one full scan)."""
        checks = {}
        for name, sql in RECONCILIATION.items():
            checks[name] = int(await self.session.scalar(text(sql)) or 0)
        return schemas.ReconciliationOut(ok=not any(checks.values()), checked_at=self.clock.now(), discrepancies=checks)

    async def month_totals(self, month: date) -> dict[str, int]:
        """Debits − credits of the month per currency: zero when the month balances."""
        rows = await self.session.execute(
            select(Account.currency, func.sum(AccountDailyBalance.debit_minor - AccountDailyBalance.credit_minor))
            .join(Account, Account.id == AccountDailyBalance.account_id)
            .where(AccountDailyBalance.day >= month_of(month), AccountDailyBalance.day < next_month(month))
            .group_by(Account.currency)
        )
        return {currency: int(total) for currency, total in rows}

    async def _codes(self) -> dict[uuid.UUID, str]:
        return {a.id: a.code for a in await self.session.scalars(select(Account))}


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
            schemas.PostingOut(account_code=codes[p.account_id], amount_minor=p.amount_minor, currency=p.currency)
            for p in transaction.postings
        ],
    )
