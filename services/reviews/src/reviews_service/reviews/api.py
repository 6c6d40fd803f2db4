"""HTTP routes of reviews (the marketplaces' intake) and their cases. Each names its step
(PROCESSES.md §5)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from aftersales_chassis import Page, PageDep, problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, ServiceAccount
from aftersales_workflow import TransitionOut

from . import schemas
from .dependencies import Cases, Intake
from .models import CasePath, CaseState

intake_router = service_router(prefix="/reviews", tags=["reviews"])
router = service_router(
    prefix="/cases", tags=["cases"], responses=problems(404, 409, descriptions={404: "Not found: no such case"})
)


@intake_router.post("", summary="§5 · Take in a review as a marketplace (re)sends it")
async def take_in(body: schemas.ReviewIn, intake: Intake, actor: ServiceAccount) -> schemas.IntakeOut:
    """Role: service (the marketplace gateway). Idempotent on (marketplace, review_id,
    updated_at); an older version than the one applied is `stale`. A neutral or negative review
    opens one case and publishes `ReviewCallRequested`: call within 24 h of `reviewed_at` (W1
    clock). A change to good ends the open case (W5, `ReviewCaseClosed`); a change that stays
    bad is recorded on it."""
    return await intake.take_in(body, actor)


@intake_router.post(":batch", summary="§5 · Take in a page of reviews (up to 100) in one transaction")
async def take_in_batch(body: schemas.ReviewBatchIn, intake: Intake, actor: ServiceAccount) -> schemas.IntakeBatchOut:
    """Role: service (a marketplace gateway posting a page as the marketplace's API delivers
    it). Each review as `POST /reviews` takes it, idempotent on (marketplace, review_id,
    updated_at), with its own outcome in the page's order (a review twice in one page: in the
    page's order). A review that cannot be taken in (invalid, an unknown marketplace, a NUL
    character) is `rejected` with its `problem`, naming its `index` and field
    (`body.reviews[i].stars`); the others are taken in. A bad page as a whole (not an object,
    no reviews, over 100) is a 422."""
    return await intake.take_in_batch(body, actor)


@router.get("", summary="List review cases")
async def list_cases(
    cases: Cases,
    _: AgentOrSupervisor,
    page: PageDep,
    state: Annotated[CaseState | None, Query()] = None,
    path: Annotated[CasePath | None, Query()] = None,
    marketplace: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[schemas.CaseOut]:
    return await cases.list(page, state=state, path=path, marketplace=marketplace)


@router.get("/{case_id}", summary="A review case, with the actions allowed now")
async def get_case(case_id: uuid.UUID, cases: Cases, _: AgentOrSupervisor) -> schemas.CaseOut:
    return await cases.get(case_id)


@router.get("/{case_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(case_id: uuid.UUID, cases: Cases, _: AgentOrSupervisor) -> list[TransitionOut]:
    return await cases.history(case_id)


@router.post("/{case_id}/call", summary="W1 / Z1 / E1 · Record the call and what it found")
async def call(case_id: uuid.UUID, body: schemas.CallIn, cases: Cases, actor: AgentOrSupervisor) -> schemas.CaseOut:
    """Roles: agent, supervisor. Stops the 24 h call clock; the finding picks the path."""
    return await cases.call(case_id, body, actor)


@router.post("/{case_id}/answer", summary="W2 · Listened and answered every point")
async def answer(case_id: uuid.UUID, body: schemas.NoteIn, cases: Cases, actor: AgentOrSupervisor) -> schemas.CaseOut:
    return await cases.step(case_id, "answer", body, actor)


@router.post("/{case_id}/listen", summary="Z2 · Listened to the quality complaint")
async def listen(case_id: uuid.UUID, body: schemas.NoteIn, cases: Cases, actor: AgentOrSupervisor) -> schemas.CaseOut:
    return await cases.step(case_id, "listen", body, actor)


@router.post("/{case_id}/explain", summary="Z3 · Analysed and explained the cause")
async def explain(case_id: uuid.UUID, body: schemas.NoteIn, cases: Cases, actor: AgentOrSupervisor) -> schemas.CaseOut:
    """Roles: agent, supervisor. From here remedies may be proposed (Z4, `/remedies`) and the
    customer asked to amend (W3); neither depends on the other."""
    return await cases.step(case_id, "explain", body, actor)


@router.post("/{case_id}/ask-amend", summary="W3 · Ask the customer to amend the review")
async def ask_amend(
    case_id: uuid.UUID, body: schemas.NoteIn, cases: Cases, actor: AgentOrSupervisor
) -> schemas.CaseOut:
    """Roles: agent, supervisor. Only where the marketplace allows it (`GET /marketplaces`):
    422 `W3.marketplace-forbids-asking`, `W3.amend-requests-used` (e.g. Taobao: once) or
    `W3.amend-window-closed` (e.g. 30 days from the review). Starts the 3 wd follow-up (W4)."""
    return await cases.ask_amend(case_id, body, actor)


@router.post("/{case_id}/follow-up", summary="W4 · Followed up whether the review was amended")
async def follow_up(
    case_id: uuid.UUID, body: schemas.NoteIn, cases: Cases, actor: AgentOrSupervisor
) -> schemas.CaseOut:
    """Roles: agent, supervisor. SLA 3 wd; the next follow-up falls due 3 wd later, until the
    marketplace's window closes (422 `W4.amend-window-closed` after)."""
    return await cases.follow_up(case_id, body, actor)


@router.post("/{case_id}/close-window", summary="W4 · The amendment window closed: not amended")
async def close_window(case_id: uuid.UUID, cases: Cases, actor: AgentOrSupervisor) -> schemas.CaseOut:
    """Roles: agent, supervisor (an hourly job does it too). 422 `W4.window-still-open` before."""
    return await cases.close_window(case_id, actor)


@router.post("/{case_id}/end-without-amendment", summary="W3 · End the case without asking to amend")
async def end_without_amendment(
    case_id: uuid.UUID, body: schemas.NoteIn, cases: Cases, actor: AgentOrSupervisor
) -> schemas.CaseOut:
    """Roles: agent, supervisor. Where the marketplace forbids asking, or the customer refuses."""
    return await cases.end_without_amendment(case_id, body, actor)
