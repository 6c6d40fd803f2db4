"""HTTP routes of the figures: JSON by default, the daily table as CSV with ``format=csv``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import Query

from aftersales_chassis import Day, Page, PageDep, RuleViolation, service_router
from aftersales_chassis.csv import JSON_OR_CSV, JsonOrCsv, csv_response
from aftersales_chassis.roles import AgentOrSupervisor, SupervisorOnly

from . import schemas
from .dependencies import Figures
from .repository import DAILY_COLUMNS

router = service_router(prefix="/figures", tags=["figures"])
WindowDays = Annotated[int, Query(ge=1, le=365, description="Days counted back from today (calendar's zone).")]
MinRatings = Annotated[int, Query(ge=1, le=10000, description="Fewer ratings than this: not judged.")]
MAX_DAYS = 366


@router.get("/daily", summary="§5 · The daily review-handling table (中差评处理表)", responses=JSON_OR_CSV)
async def daily(
    figures: Figures,
    _: AgentOrSupervisor,
    from_day: Annotated[Day | None, Query(alias="from", description="First day (default: today).")] = None,
    to_day: Annotated[Day | None, Query(alias="to", description="Last day (default: from).")] = None,
    format: JsonOrCsv = "json",
) -> Any:
    """Roles: agent, supervisor. Per day (the day the review turned bad, in the calendar's zone)
    and path (`pending` before the call): received, called within 24 h, amended, reported,
    remedies agreed and their sum in minor units. Reviews removed on a report are left out."""
    first = from_day or figures.today()
    last = to_day or first
    if last < first or (last - first) > timedelta(days=MAX_DAYS):
        raise RuleViolation(
            "figures.day-range", f"'to' must be on or after 'from', at most {MAX_DAYS} days later", field="query.to"
        )
    rows = await figures.daily(first, last)
    if format == "csv":
        return csv_response(rows, columns=DAILY_COLUMNS, filename=f"review-handling-{first}-{last}.csv")
    return {"from": first.isoformat(), "to": last.isoformat(), "zone": str(figures.zone), "rows": rows}


@router.get("/products", summary="Product ratings over a window, judged against 4.8")
async def products(
    figures: Figures, _: AgentOrSupervisor, window_days: WindowDays = 90, min_ratings: MinRatings = 10
) -> schemas.ProductRatings:
    """Roles: agent, supervisor. Each product's average stars in the window: `follow_up` under 4.8
    with at least `min_ratings`, `ok`, or `too_few_ratings` (then no task), with the reason."""
    return await figures.products(window_days, min_ratings)


@router.post("/products/follow-ups", summary="Open proactive follow-up tasks for products under 4.8")
async def open_follow_ups(
    figures: Figures, actor: SupervisorOnly, window_days: WindowDays = 90, min_ratings: MinRatings = 10
) -> list[schemas.FollowUpOut]:
    """Role: supervisor (a daily job does it at 09:00). One task per product and window: none for a
    product whose earlier task's window has not passed. Returns the tasks made now."""
    return await figures.open_follow_ups(window_days, min_ratings, actor)


@router.get("/products/follow-ups", summary="Proactive follow-up tasks")
async def follow_ups(figures: Figures, _: AgentOrSupervisor, page: PageDep) -> Page[schemas.FollowUpOut]:
    return await figures.follow_ups(page)


@router.get("/shop", summary="DSR-style shop figures per marketplace")
async def shop(figures: Figures, _: AgentOrSupervisor, window_days: WindowDays = 90) -> schemas.ShopFigures:
    """Roles: agent, supervisor. Reviews, average stars, good/neutral/negative, and the detailed
    seller ratings (description, service, logistics) where the marketplace sends them."""
    return await figures.shop(window_days)


@router.get("/calls", summary="The 24 h call: open cases by path, on-time share, breaches")
async def calls(figures: Figures, _: AgentOrSupervisor) -> schemas.CallFigures:
    """Roles: agent, supervisor. The same figures as the Prometheus gauges (`reviews_open_cases`,
    `reviews_call_on_time_ratio`, `reviews_call_breaches`), refreshed now."""
    return await figures.refresh_gauges()
