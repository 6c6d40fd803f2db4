"""Annotated aliases of the complaints routes: who may call them, and the use cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from aftersales_chassis import ClockDep, Principal, SessionDep, allow
from aftersales_chassis.roles import BACK_OFFICE, CUSTOMER, MERCHANT
from aftersales_sla import SlaDep

from ..settings import TicketsSettings
from .service import ComplaintService
from .state import INTAKE


async def _service(request: Request, session: SessionDep, clock: ClockDep, sla: SlaDep) -> ComplaintService:
    settings: TicketsSettings = request.app.state.settings
    return ComplaintService(session, clock, sla, settings)


Complaints = Annotated[ComplaintService, Depends(_service)]
ComplaintReader = Annotated[Principal, Depends(allow(*BACK_OFFICE, *CUSTOMER, *MERCHANT))]
"""Staff read every complaint; a customer only their own, a merchant only theirs (404 otherwise)."""
Recorder = Annotated[Principal, Depends(allow(*INTAKE))]
MerchantOnly = Annotated[Principal, Depends(allow(*MERCHANT))]
