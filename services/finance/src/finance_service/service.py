"""Use cases of the ledger: book balanced transactions, read them back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Page, PageParams, RuleViolation, encode_cursor
from aftersales_events import record_event
from aftersales_events.catalogue import finance as fin

from . import schemas
from .models import Account, LedgerTransaction, Posting
from .repository import LedgerRepository


@dataclass(frozen=True)
class Leg:
    account_code: str
    amount_minor: int  # debit +, credit −


class LedgerService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.repository = LedgerRepository(session)
        self.clock = clock

    async def book(
        self,
        *,
        source: str,
        description: str,
        currency: str,
        effective_at: datetime,
        legs: Sequence[Leg],
        details: dict[str, Any],
    ) -> LedgerTransaction | None:
        """Books one balanced transaction once per ``source``; returns None if already booked."""
        legs = [leg for leg in legs if leg.amount_minor != 0]
        if not legs:
            return None
        if len(legs) < 2 or sum(leg.amount_minor for leg in legs) != 0:
            raise RuleViolation("ledger.balanced", f"postings of {source} do not sum to zero", source=source)
        if await self.repository.source_booked(source):
            return None
        accounts = await self.repository.accounts_by_code({leg.account_code for leg in legs})
        if wrong := sorted(code for code, a in accounts.items() if a.currency != currency):
            raise RuleViolation("ledger.one-currency", f"accounts {wrong} are not in {currency}", source=source)
        transaction = LedgerTransaction(
            id=uuid.uuid4(),
            source=source,
            description=description,
            currency=currency,
            effective_at=effective_at,
            booked_at=self.clock.now(),
            details=details,
            postings=[
                Posting(account_id=accounts[leg.account_code].id, amount_minor=leg.amount_minor, currency=currency)
                for leg in legs
            ],
        )
        await self.repository.add_transaction(transaction)
        await record_event(
            self.session,
            fin.LedgerTransactionPosted(
                transaction_id=transaction.id,
                source=source,
                currency=currency,
                total_debit_minor=sum(leg.amount_minor for leg in legs if leg.amount_minor > 0),
                booked_at=transaction.booked_at,
            ),
            subject=str(transaction.id),
            at=self.clock.now(),
        )
        return transaction

    async def accounts(self) -> list[schemas.AccountOut]:
        return [schemas.AccountOut.model_validate(a) for a in await self.repository.list_accounts()]

    async def transaction(self, transaction_id: uuid.UUID) -> schemas.TransactionOut:
        found = await self.repository.get_transaction(transaction_id)
        return self._to_out(found, await self._codes())

    async def transactions(
        self, page: PageParams, *, source: str | None, account_code: str | None
    ) -> Page[schemas.TransactionOut]:
        rows = await self.repository.list_transactions(page, source=source, account_code=account_code)
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        codes = await self._codes()
        cursor = encode_cursor([rows[-1].booked_at.isoformat(), str(rows[-1].id)]) if more and rows else None
        return Page[schemas.TransactionOut](items=[self._to_out(r, codes) for r in rows], next_cursor=cursor)

    async def _codes(self) -> dict[uuid.UUID, str]:
        accounts: list[Account] = await self.repository.list_accounts()
        return {a.id: a.code for a in accounts}

    @staticmethod
    def _to_out(transaction: LedgerTransaction, codes: dict[uuid.UUID, str]) -> schemas.TransactionOut:
        return schemas.TransactionOut(
            id=transaction.id,
            source=transaction.source,
            description=transaction.description,
            currency=transaction.currency,
            effective_at=transaction.effective_at,
            booked_at=transaction.booked_at,
            reverses_id=transaction.reverses_id,
            details=transaction.details,
            postings=[
                schemas.PostingOut(account_code=codes[p.account_id], amount_minor=p.amount_minor, currency=p.currency)
                for p in transaction.postings
            ],
        )
