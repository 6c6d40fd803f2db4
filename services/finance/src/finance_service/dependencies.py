"""``Annotated`` aliases the finance routers use."""

from typing import Annotated

from fastapi import Depends

from aftersales_chassis import ClockDep, Principal, Role, SessionDep, allow

from .service import LedgerService


def get_ledger(session: SessionDep, clock: ClockDep) -> LedgerService:
    return LedgerService(session, clock)


Ledger = Annotated[LedgerService, Depends(get_ledger)]
Finance = Annotated[Principal, Depends(allow(Role.finance))]
