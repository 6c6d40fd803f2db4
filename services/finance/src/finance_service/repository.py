"""Every query of the finance service."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aftersales_chassis import NotFound, PageParams

from .models import Account, LedgerTransaction, Posting


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def accounts_by_code(self, codes: set[str]) -> dict[str, Account]:
        rows = await self.session.scalars(select(Account).where(Account.code.in_(codes)))
        found = {account.code: account for account in rows}
        if missing := codes - set(found):
            raise NotFound(f"accounts {sorted(missing)} do not exist", resource="account")
        return found

    async def list_accounts(self) -> list[Account]:
        return list(await self.session.scalars(select(Account).order_by(Account.code)))

    async def source_booked(self, source: str) -> bool:
        return (
            await self.session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.source == source))
            is not None
        )

    async def add_transaction(self, transaction: LedgerTransaction) -> None:
        self.session.add(transaction)
        await self.session.flush()

    async def get_transaction(self, transaction_id: uuid.UUID) -> LedgerTransaction:
        found = await self.session.scalar(
            select(LedgerTransaction)
            .where(LedgerTransaction.id == transaction_id)
            .options(selectinload(LedgerTransaction.postings))
        )
        if found is None:
            raise NotFound(f"transaction {transaction_id} does not exist", resource="transaction")
        return found

    async def list_transactions(
        self, page: PageParams, *, source: str | None, account_code: str | None
    ) -> list[LedgerTransaction]:
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
        if page.cursor:
            booked_at, last_id = datetime.fromisoformat(page.cursor[0]), uuid.UUID(page.cursor[1])
            query = query.where(tuple_(LedgerTransaction.booked_at, LedgerTransaction.id) > (booked_at, last_id))
        query = query.order_by(LedgerTransaction.booked_at, LedgerTransaction.id).limit(page.limit + 1)
        return list(await self.session.scalars(query))
