"""``Annotated`` aliases the callback routes use."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from aftersales_chassis import ClockDep, Principal, SessionDep, allow
from aftersales_sla import SlaDep

from ..settings import CallcenterSettings, get_settings
from .service import CallbackService
from .state import OPENERS

Settings = Annotated[CallcenterSettings, Depends(get_settings)]


async def get_service(
    request: Request, session: SessionDep, clock: ClockDep, sla: SlaDep, settings: Settings
) -> CallbackService:
    return CallbackService(session, clock, sla, settings, getattr(request.app.state, "messaging", None))


Callbacks = Annotated[CallbackService, Depends(get_service)]
Opener = Annotated[Principal, Depends(allow(*OPENERS))]
"""Lists and signups: another system (role service) or a supervisor."""
