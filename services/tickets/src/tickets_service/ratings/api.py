"""HTTP routes of post-contact ratings (§9 customer satisfaction). Thin."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Response, status

from aftersales_chassis import ClockDep, Page, PageDep, SessionDep, resent, service_router
from aftersales_chassis.roles import AgentOrSupervisor, ServiceAccount

from . import schemas
from .service import RatingService

router = service_router(prefix="/ratings", tags=["ratings"])


async def _service(session: SessionDep, clock: ClockDep) -> RatingService:
    return RatingService(session, clock)


Ratings = Annotated[RatingService, Depends(_service)]


@router.post(
    "/intake",
    status_code=status.HTTP_201_CREATED,
    summary="§9 · A channel hands over a post-contact rating",
    responses=resent(schemas.RatingOut, "A resend: the rating kept first"),
)
async def intake(
    body: schemas.RatingIn, ratings: Ratings, actor: ServiceAccount, response: Response
) -> schemas.RatingOut:
    """Roles: service. Scores 1 to 5 (JSON integers); 4 and 5 are satisfied. A resend of the same
    `(channel, channel_rating_id)` answers 200 with the rating kept first. Satisfaction per agent
    (target ≥ 90%) is in `GET /kpis/agents`."""
    rating, created = await ratings.take(body, actor)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return rating


@router.get("", summary="§9 · List ratings, oldest first")
async def list_ratings(
    ratings: Ratings,
    _: AgentOrSupervisor,
    page: PageDep,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    contact_type: Annotated[Literal["inquiry", "complaint", "case", "call", "other"] | None, Query()] = None,
) -> Page[schemas.RatingOut]:
    """Roles: agent, supervisor."""
    return await ratings.list(page, agent=agent, contact_type=contact_type)
