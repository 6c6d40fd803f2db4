"""HTTP routes of the red/black list (§4). Thin: roles declared, the use case called."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response, status

from aftersales_chassis import (
    ClockDep,
    Month,
    Page,
    PageDep,
    Principal,
    SessionDep,
    allow,
    problems,
    resent,
    service_router,
)
from aftersales_chassis.roles import MERCHANT, SupervisorOnly
from aftersales_sla import SlaDep

from ..settings import TicketsSettings
from . import schemas
from .service import RedBlackService

router = service_router(
    prefix="/red-black-lists",
    tags=["red/black list"],
    responses=problems(404, 409, descriptions={404: "Not found: no list for that month (or version) yet"}),
)


async def _service(request: Request, session: SessionDep, clock: ClockDep, sla: SlaDep) -> RedBlackService:
    settings: TicketsSettings = request.app.state.settings
    calendar = await request.app.state.calendar_provider.current(session)
    return RedBlackService(session, clock, sla, calendar.zone, settings.red_black_rules)


Lists = Annotated[RedBlackService, Depends(_service)]
MerchantOnly = Annotated[Principal, Depends(allow(*MERCHANT))]
MerchantId = Annotated[str, Path(min_length=1, max_length=64, examples=["M-001"])]


@router.get("/rules", summary="§4 · The published rules that nominate the lists")
async def rules(service: Lists, _: SupervisorOnly) -> schemas.RulesOut:
    """Roles: supervisor. The thresholds in force (settings `TICKETS_RED_BLACK_RULES`)."""
    return service.published_rules()


@router.get("", summary="§4 · Every version of every month's list, newest first")
async def list_versions(
    service: Lists,
    _: SupervisorOnly,
    page: PageDep,
    month: Annotated[Month | None, Query(description="Only this month's versions.")] = None,
) -> Page[schemas.ListSummary]:
    """Roles: supervisor. The audit of decisions and corrections: who, when, why, what each superseded."""
    return await service.list(page, month)


@router.post(
    "/{month}/nominate",
    status_code=status.HTTP_201_CREATED,
    summary="§4.6 · Nominate the month's list",
    responses=resent(schemas.ListOut, "Already nominated: its latest version"),
)
async def nominate(month: Month, service: Lists, actor: SupervisorOnly, response: Response) -> schemas.ListOut:
    """Roles: supervisor (a job does it on the 1st at 00:30). From the month's analysis by the
    published rules; starts §4.6 (decided by the end of the 10th of the next month). A month
    not over yet: 422 `§4.6.month-over`. Already nominated: 200 with its latest version."""
    record, created = await service.nominate(month, actor)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return record


@router.get("/{month}", summary="§4 · The month's list (its latest version, or `version`)")
async def get_list(
    month: Month,
    service: Lists,
    _: SupervisorOnly,
    version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> schemas.ListOut:
    """Roles: supervisor. Merchants read their own standing at `/{month}/standing`."""
    return await service.get(month, version)


@router.put("/{month}/entries/{merchant_id}", summary="§4.6 · Review a merchant's nomination")
async def review(
    month: Month, merchant_id: MerchantId, body: schemas.ReviewIn, service: Lists, actor: SupervisorOnly
) -> schemas.ListOut:
    """Roles: supervisor. Red, black, or none (off the list), with a note; a merchant not
    nominated can be added. Only while under review: a decided list is 409 `§4.6.decided-immutable`."""
    return await service.review(month, merchant_id, body, actor)


@router.post("/{month}/decide", summary="§4.6 · Decide the month's list")
async def decide(month: Month, service: Lists, actor: SupervisorOnly) -> schemas.ListOut:
    """Roles: supervisor. Immutable from now (the database refuses changes); stops §4.6 (breached
    when after the end of the 10th of the next month); publishes `RedBlackListDecided`."""
    return await service.decide(month, actor)


@router.post("/{month}/corrections", status_code=status.HTTP_201_CREATED, summary="§4.6 · Correct a decided list")
async def correct(month: Month, body: schemas.CorrectionIn, service: Lists, actor: SupervisorOnly) -> schemas.ListOut:
    """Roles: supervisor. A new version with the changes, decided at once, superseding the latest
    (kept, unchanged); publishes `RedBlackListDecided` with `supersedes_version` and the reason.
    Only a decided list: 409 `§4.6.correct-decided-only`."""
    return await service.correct(month, body, actor)


@router.get("/{month}/standing", summary="§4 · A merchant's own standing on the decided list")
async def standing(month: Month, service: Lists, actor: MerchantOnly) -> schemas.StandingOut:
    """Roles: merchant: its own standing only (the merchant id of its token), on the month's latest
    decided version; 404 before the decision."""
    return await service.standing(month, actor.merchant_id)
