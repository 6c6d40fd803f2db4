"""``Annotated`` aliases of the ledger's routes."""

from typing import Annotated

from fastapi import Depends

from aftersales_chassis import ClockDep, SessionDep

from ..business_calendar import CalendarDep
from .booking import LedgerService
from .service import AccountService, LedgerReader


async def get_ledger(session: SessionDep, clock: ClockDep, calendar: CalendarDep) -> LedgerService:
    return LedgerService(session, clock, calendar.zone)


async def get_reader(session: SessionDep, clock: ClockDep) -> LedgerReader:
    return LedgerReader(session, clock)


async def get_accounts(session: SessionDep, clock: ClockDep) -> AccountService:
    return AccountService(session, clock)


Ledger = Annotated[LedgerService, Depends(get_ledger)]
Reader = Annotated[LedgerReader, Depends(get_reader)]
Accounts = Annotated[AccountService, Depends(get_accounts)]
