"""Opening accounts and setting their limits (finance's chart beyond the migrations')."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, NotFound, RuleViolation

from . import schemas
from .models import Account


class AccountService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def open(self, body: schemas.AccountIn) -> schemas.AccountOut:
        if await self.session.scalar(select(Account.id).where(Account.code == body.code)) is not None:
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
        # FOR UPDATE: postings in flight finish first, so the check sees the real balance.
        account = await self.session.scalar(select(Account).where(Account.code == code).with_for_update())
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
