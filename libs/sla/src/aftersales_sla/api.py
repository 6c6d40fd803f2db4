"""Per-service SLA API: clocks by state (what dashboards and supervisors read), the policies."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import Row, and_, or_, select

from aftersales_chassis import ClockDep, Page, PageDep, Principal, SessionDep, allow, page_of
from aftersales_chassis.keyset import keyset
from aftersales_chassis.roles import BACK_OFFICE, SERVICE
from aftersales_chassis.uow import service_router

from .policy import PolicyBook
from .tables import sla_clocks

# Everyone inside the shop, and systems (dashboards) holding a service token.
ClockReader = Annotated[Principal, Depends(allow(*BACK_OFFICE, *SERVICE))]


class ClockStatus(StrEnum):
    open = "open"  # running or paused, not breached
    at_risk = "at_risk"  # running, past its warning time, not breached
    breached = "breached"  # past due (open or stopped late)
    met = "met"  # stopped on time
    paused = "paused"  # waiting on the customer


class ClockOut(BaseModel):
    id: uuid.UUID
    step: str
    aggregate_type: str
    aggregate_id: str
    state: str
    status: ClockStatus
    duration: str
    kind: str
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    warned_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None
    stopped_by: str | None
    outcome: str | None
    provisional: bool
    seconds_left: float | None


class PolicyOut(BaseModel):
    step: str
    title: str
    duration: str
    kind: str
    warn_before: str
    role: str
    starts: str
    stops: str
    pauses: str
    source: str


def _status(row: Row[Any], now: datetime) -> ClockStatus:
    if row.state == "stopped":
        return ClockStatus.met if row.outcome == "met" else ClockStatus.breached
    if row.breached_at is not None or (row.state == "running" and row.due_at <= now):
        return ClockStatus.breached
    if row.state == "paused":
        return ClockStatus.paused
    return ClockStatus.at_risk if row.warn_at <= now else ClockStatus.open


def _filter(status: ClockStatus, now: datetime) -> Any:
    c = sla_clocks.c
    not_breached = and_(c.breached_at.is_(None), or_(c.state == "paused", c.due_at > now))
    return {
        ClockStatus.open: and_(c.state != "stopped", not_breached),
        ClockStatus.at_risk: and_(c.state == "running", c.warn_at <= now, not_breached),
        ClockStatus.breached: or_(c.breached_at.is_not(None), and_(c.state == "running", c.due_at <= now)),
        ClockStatus.met: c.outcome == "met",
        ClockStatus.paused: c.state == "paused",
    }[status]


def sla_router(policies: PolicyBook) -> APIRouter:
    router = service_router(prefix="/sla", tags=["sla"])

    @router.get("/clocks", summary="SLA clocks by status, soonest due first")
    async def list_clocks(
        session: SessionDep,
        clock: ClockDep,
        _: ClockReader,
        page: PageDep,
        status: Annotated[ClockStatus | None, Query(description="open, at_risk, breached, met, paused")] = None,
        step: Annotated[str | None, Query(max_length=16, examples=["T1A3"])] = None,
        aggregate_id: Annotated[str | None, Query(max_length=128)] = None,
        aggregate_type: Annotated[str | None, Query(max_length=32, examples=["return"])] = None,
    ) -> Page[ClockOut]:
        now = clock.now()
        query = select(sla_clocks)
        if status is not None:
            query = query.where(_filter(status, now))
        if step:
            query = query.where(sla_clocks.c.step == step)
        if aggregate_id:
            query = query.where(sla_clocks.c.aggregate_id == aggregate_id)
        if aggregate_type:  # e.g. one callback task kind: its on-time share is its met ÷ stopped
            query = query.where(sla_clocks.c.aggregate_type == aggregate_type)
        rows = (await session.execute(keyset(query, page, sla_clocks.c.due_at, sla_clocks.c.id))).all()
        return page_of(
            rows,
            page,
            key=lambda r: (r.due_at, r.id),
            item=lambda r: ClockOut(
                **{k: getattr(r, k) for k in ClockOut.model_fields if k not in {"status", "seconds_left"}},
                status=_status(r, now),
                seconds_left=None if r.state == "stopped" else (r.due_at - now).total_seconds(),
            ),
        )

    @router.get("/policies", summary="The SLA policies this service enforces, by step")
    async def list_policies(_: ClockReader) -> list[PolicyOut]:
        return [
            PolicyOut(
                step=p.step,
                title=p.title,
                duration=p.duration.describe(),
                kind=p.duration.kind,
                warn_before=p.warn_before.describe(),
                role=p.role,
                starts=p.starts,
                stops=p.stops,
                pauses=p.pauses,
                source=p.source,
            )
            for p in policies
        ]

    return router
