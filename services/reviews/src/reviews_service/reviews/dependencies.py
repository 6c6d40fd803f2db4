"""``Annotated`` aliases the reviews routers use."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from aftersales_chassis import ClockDep, SessionDep
from aftersales_sla import SlaDep

from ..marketplaces.dependencies import Marketplaces
from .intake import ReviewIntake
from .service import CaseService


async def get_intake(session: SessionDep, clock: ClockDep, sla: SlaDep, marketplaces: Marketplaces) -> ReviewIntake:
    return ReviewIntake(session, clock, sla, marketplaces)


async def get_cases(session: SessionDep, clock: ClockDep, sla: SlaDep, marketplaces: Marketplaces) -> CaseService:
    return CaseService(session, clock, sla, marketplaces)


Intake = Annotated[ReviewIntake, Depends(get_intake)]
Cases = Annotated[CaseService, Depends(get_cases)]
