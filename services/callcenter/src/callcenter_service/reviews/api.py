"""HTTP routes of the review calls (§5 W1). Thin: roles declared, the use case called."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from aftersales_chassis import Page, PageDep, service_router
from aftersales_chassis.roles import BackOfficeReader

from ..callbacks.dependencies import Callbacks
from . import schemas
from .service import ReviewCallService

router = service_router(prefix="/review-calls", tags=["callbacks"])


async def _service(callbacks: Callbacks) -> ReviewCallService:
    return ReviewCallService(callbacks)


ReviewCalls = Annotated[ReviewCallService, Depends(_service)]


@router.get("/awaiting-phone", summary="§5 W1 · Review calls parked until the order's number is known")
async def awaiting_phone(
    service: ReviewCalls, _: BackOfficeReader, page: PageDep
) -> Page[schemas.ReviewCallAwaitingPhoneOut]:
    """Reviews asked for the 24 h call but neither the event nor the order gave a number. Each
    opens as a call task, still due when reviews said, when the order's `OrderPlaced` arrives;
    it leaves this list then, or when the review case ends first. Earliest due first."""
    return await service.awaiting_phone(page)
