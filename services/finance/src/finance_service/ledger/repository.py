"""Queries of the ledger: accounts, transactions and their postings, balances, and the
reconciliation counts. Booking a batch is not here: its statements are the hot path and
live beside the code that builds them (:mod:`.booking`, ADR 0009/0012/0016)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ..months import month_of, next_month
from .models import Account, AccountDailyBalance, LedgerTransaction, Posting

# Each counts the rows failing one check; all zero when the maintained figures are right.
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
    # The merchant sub-ledger (finance_0012) sums to its control account, and to its postings.
    "merchant_subledger_equals_control": (
        "SELECT count(*) FROM accounts a LEFT JOIN (SELECT account_id, sum(balance_minor) AS total"
        " FROM merchant_balances GROUP BY account_id) m ON m.account_id = a.id"
        " WHERE a.keyed_by IS NOT NULL AND a.balance_minor <> coalesce(m.total, 0)"
    ),
    "merchant_balances_equal_postings": (
        "SELECT count(*) FROM merchant_balances m FULL JOIN (SELECT account_id, merchant_id, coalesce(order_id, '')"
        " AS order_id, sum(amount_minor) AS total FROM postings WHERE merchant_id IS NOT NULL GROUP BY 1, 2, 3) p"
        " USING (account_id, merchant_id, order_id) WHERE coalesce(m.balance_minor, 0) <> coalesce(p.total, 0)"
    ),
    "transactions_without_postings": (
        "SELECT count(*) FROM ledger_transactions t"
        " WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.transaction_id = t.id)"
    ),
}


# The session setting the database's default accounting day reads (finance_0010).
ZONE_SETTING = "aftersales.business_zone"


async def put_business_zone(connection: Any, zone: str) -> None:
    """Sets the session's business zone on a raw asyncpg connection, outside any
    transaction, so that no rollback undoes it (:class:`..business_calendar.BusinessZoneExtension`)."""
    await connection.execute("SELECT set_config($1, $2, false)", ZONE_SETTING, zone)


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- accounts ---------------------------------------------------------------------------

    async def accounts(self, *, limit: int, after: tuple[str] | None) -> list[Account]:
        query = select(Account).order_by(Account.code).limit(limit)
        if after is not None:
            query = query.where(Account.code > after[0])
        return list(await self.session.scalars(query))

    async def account_exists(self, code: str) -> bool:
        return await self.session.scalar(select(Account.id).where(Account.code == code)) is not None

    async def account_for_update(self, code: str) -> Account | None:
        """FOR UPDATE: postings in flight finish first, so the caller sees the real balance."""
        return await self.session.scalar(select(Account).where(Account.code == code).with_for_update())

    async def account_codes(self) -> dict[uuid.UUID, str]:
        return {a.id: a.code for a in await self.session.scalars(select(Account))}

    async def balances(
        self, *, as_of: date | None, limit: int, after: tuple[str] | None
    ) -> Sequence[Row[str, str, str, int]]:
        """Per account (code, type, currency, balance): the maintained balance, or the sum of
        its daily rows up to ``as_of``."""
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
        if after is not None:
            query = query.where(Account.code > after[0])
        return (await self.session.execute(query.order_by(Account.code).limit(limit))).all()

    async def month_totals(self, month: date) -> dict[str, int]:
        """Debits − credits of the month per currency, from the daily rows."""
        rows = await self.session.execute(
            select(Account.currency, func.sum(AccountDailyBalance.debit_minor - AccountDailyBalance.credit_minor))
            .join(Account, Account.id == AccountDailyBalance.account_id)
            .where(AccountDailyBalance.day >= month_of(month), AccountDailyBalance.day < next_month(month))
            .group_by(Account.currency)
        )
        return {currency: int(total) for currency, total in rows}

    async def reconciliation(self) -> dict[str, int]:
        """The failing rows of each check of :data:`RECONCILIATION` (the one full scan)."""
        return {name: int(await self.session.scalar(text(sql)) or 0) for name, sql in RECONCILIATION.items()}

    # -- transactions -----------------------------------------------------------------------

    async def transaction(self, transaction_id: uuid.UUID) -> LedgerTransaction | None:
        return await self.session.get(LedgerTransaction, transaction_id)

    async def with_postings(
        self, *, transaction_id: uuid.UUID | None = None, source: str | None = None
    ) -> LedgerTransaction | None:
        """One transaction, by id or by source, with its postings loaded."""
        where = LedgerTransaction.id == transaction_id if source is None else LedgerTransaction.source == source
        return await self.session.scalar(
            select(LedgerTransaction).where(where).options(selectinload(LedgerTransaction.postings))
        )

    async def transaction_id_by_source(self, source: str) -> uuid.UUID | None:
        return await self.session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.source == source))

    async def reversal_of(self, transaction_id: uuid.UUID) -> uuid.UUID | None:
        return await self.session.scalar(
            select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == transaction_id)
        )

    async def legs(self, transaction_id: uuid.UUID) -> list[tuple[str, int, str | None, str | None]]:
        """(account code, amount, merchant, order) of each posting, in posting order."""
        rows = await self.session.execute(
            select(Account.code, Posting.amount_minor, Posting.merchant_id, Posting.order_id)
            .join(Account, Account.id == Posting.account_id)
            .where(Posting.transaction_id == transaction_id)
            .order_by(Posting.id)
        )
        return [(code, amount, merchant, order) for code, amount, merchant, order in rows]

    async def transactions(
        self,
        *,
        source: str | None,
        account_code: str | None,
        month: date | None,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None,
    ) -> list[LedgerTransaction]:
        """Oldest booked first, with their postings."""
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
        if month is not None:
            query = query.where(
                LedgerTransaction.accounting_date >= month, LedgerTransaction.accounting_date < next_month(month)
            )
        if after is not None:
            query = query.where(tuple_(LedgerTransaction.booked_at, LedgerTransaction.id) > after)
        query = query.order_by(LedgerTransaction.booked_at, LedgerTransaction.id).limit(limit)
        return list(await self.session.scalars(query))

    async def count_in_month(self, month: date, *, late_only: bool = False) -> int:
        """Transactions counted in the month; ``late_only``: those booked into it for a day
        of a closed earlier month (``details.belongs_to``)."""
        where = [LedgerTransaction.accounting_date >= month, LedgerTransaction.accounting_date < next_month(month)]
        if late_only:
            where.append(LedgerTransaction.details.has_key("belongs_to"))
        return int(await self.session.scalar(select(func.count()).where(*where)) or 0)
