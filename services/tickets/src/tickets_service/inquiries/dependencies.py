"""``Annotated`` aliases of the inquiries routes: the use cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from aftersales_chassis import ClockDep, Principal, SessionDep, allow
from aftersales_sla import SlaDep

from ..settings import TicketsSettings
from .service import InquiryService
from .state import INTAKE


async def _service(request: Request, session: SessionDep, clock: ClockDep, sla: SlaDep) -> InquiryService:
    settings: TicketsSettings = request.app.state.settings
    return InquiryService(session, clock, sla, settings)


Inquiries = Annotated[InquiryService, Depends(_service)]
Recorder = Annotated[Principal, Depends(allow(*INTAKE))]
"""The shop-chat gateway (role service) and agents."""
