"""HTTP routes of the per-agent KPIs (§9) and the refund follow-ups they count. Thin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request, status

from aftersales_chassis import ClockDep, Day, SessionDep, service_router
from aftersales_chassis.csv import JSON_OR_CSV, JsonOrCsv, csv_response
from aftersales_chassis.roles import AgentOrSupervisor

from . import schemas
from .service import CSV_COLUMNS, KpiService, csv_rows

router = service_router(tags=["kpis"])


async def _service(request: Request, session: SessionDep, clock: ClockDep) -> KpiService:
    # Buckets follow the business calendar's zone.
    return KpiService(session, clock, request.app.state.calendar_provider.base.zone, request.app.state.settings)


Kpis = Annotated[KpiService, Depends(_service)]


@router.get(
    "/kpis/agents",
    summary="§9 · Per-agent KPIs by day, week, month or quarter, each with its formula",
    response_model=schemas.KpiReport,
    responses=JSON_OR_CSV,
)
async def agent_kpis(
    kpis: Kpis,
    actor: AgentOrSupervisor,
    from_day: Annotated[Day, Query(alias="from", description="First local day (YYYY-MM-DD).")],
    to_day: Annotated[Day, Query(alias="to", description="Last local day, included.")],
    bucket: schemas.Bucket = "day",
    agent: Annotated[str | None, Query(max_length=64, description="One agent (supervisors).")] = None,
    format: JsonOrCsv = "json",
) -> Any:
    """Roles: supervisor (every agent, or `agent`), agent (their own figures only: another's is 403
    `§9.own-figures`). Buckets are the business calendar's days (Asia/Shanghai by default), Monday
    weeks, months, quarters: an inquiry at 23:30 local on the 30th counts on the 30th. `to` before
    `from`: 422 `§9.period`. CSV: one line per agent and bucket."""
    report = await kpis.agents(actor, from_day, to_day, bucket, agent)
    if format == "csv":
        name = f"agent-kpis-{bucket}-{from_day}-{to_day}.csv"
        return csv_response(csv_rows(report), columns=CSV_COLUMNS, filename=name)
    return report


@router.post(
    "/refund-follow-ups", status_code=status.HTTP_201_CREATED, summary="Seed 002 · Record a refund request's follow-up"
)
async def record_refund_follow_up(
    body: schemas.RefundFollowUpIn, kpis: Kpis, actor: AgentOrSupervisor
) -> schemas.RefundFollowUpOut:
    """Roles: agent, supervisor (the caller followed it up). Counted in the KPIs' refund follow-up."""
    return await kpis.record_follow_up(body, actor)
