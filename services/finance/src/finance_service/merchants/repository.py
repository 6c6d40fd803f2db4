"""Queries of the merchant sub-ledger (finance_0012): per order, what the ledger says a
merchant is owed (the credit balance of its keyed payable), and its postings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..ledger.models import Account, LedgerTransaction, MerchantBalance, Posting


@dataclass(frozen=True)
class StatementRow:
    posting_id: int
    transaction_id: uuid.UUID
    source: str
    description: str
    step: str | None
    accounting_date: date
    booked_at: datetime
    order_id: str | None
    amount_minor: int
    currency: str


class MerchantLedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def owed_by_order(self, merchant_id: str, order_ids: Sequence[str] | None = None) -> dict[str, int]:
        """What the merchant is owed per order ('' for postings to the merchant as a whole):
        the negated (credit) balance of its merchant-keyed payables."""
        query = (
            select(MerchantBalance.order_id, func.sum(-MerchantBalance.balance_minor))
            .join(Account, Account.id == MerchantBalance.account_id)
            .where(Account.keyed_by == "merchant", MerchantBalance.merchant_id == merchant_id)
            .group_by(MerchantBalance.order_id)
        )
        if order_ids is not None:
            query = query.where(MerchantBalance.order_id.in_(list(order_ids)))
        return {order_id: int(owed) for order_id, owed in await self.session.execute(query)}

    async def known(self, merchant_id: str) -> bool:
        """Whether the ledger has ever posted to the merchant."""
        found = await self.session.scalar(
            select(MerchantBalance.merchant_id).where(MerchantBalance.merchant_id == merchant_id).limit(1)
        )
        return found is not None

    async def statement(self, merchant_id: str, *, limit: int, after: tuple[int] | None) -> list[StatementRow]:
        """The merchant's postings, oldest first (by posting id: postings are append-only)."""
        query = (
            select(Posting, LedgerTransaction)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
            .where(Posting.merchant_id == merchant_id)
            .order_by(Posting.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(Posting.id > after[0])
        return [
            StatementRow(
                posting_id=posting.id,
                transaction_id=tx.id,
                source=tx.source,
                description=tx.description,
                step=tx.details.get("step"),
                accounting_date=tx.accounting_date,
                booked_at=tx.booked_at,
                order_id=posting.order_id,
                amount_minor=posting.amount_minor,
                currency=posting.currency,
            )
            for posting, tx in await self.session.execute(query)
        ]
