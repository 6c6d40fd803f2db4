"""Per-service SLA API: clocks by state (what dashboards and supervisors read), the policies."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Row, and_, or_, select

from aftersales_calendar import Duration, WallClock, WorkingDays, WorkingHours
from aftersales_chassis import ClockDep, NotFound, Page, PageDep, Principal, SessionDep, allow, page_of, problems
from aftersales_chassis.keyset import keyset
from aftersales_chassis.roles import BACK_OFFICE, SERVICE, SupervisorOnly
from aftersales_chassis.uow import service_router

from .overrides import PolicyProvider, changes_of, latest_changes, parse_duration
from .policy import PolicyBook, SlaPolicy
from .tables import sla_clocks

MAX_MINUTES = 365 * 24 * 60  # a year
MAX_DAYS = 250  # about a year of working days

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


class RuleOut(BaseModel):
    duration: str = Field(examples=["24 h"])
    kind: str = Field(description="wall (nights, weekends and holidays count) or working (calendar time only).")
    warn_before: str = Field(examples=["4 h"])


class ChangeOut(BaseModel):
    """One change of a step's rule by an operator; no rule: back to the default."""

    rule: RuleOut | None
    reason: str
    changed_by: str
    changed_at: datetime


class PolicyOut(BaseModel):
    step: str
    title: str
    duration: str = Field(description="In force: the default, or the operator's change (see `changed`).")
    kind: str
    warn_before: str
    role: str
    starts: str
    stops: str
    pauses: str
    source: str
    default: RuleOut = Field(description="The rule the code gives the step (docs/sla/).")
    changed: ChangeOut | None = Field(description="The operator's change in force, if any.")


class DurationIn(BaseModel):
    """A span of wall-clock time, of working time, or a number of working days (§10)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["wall", "working"]
    minutes: int | None = Field(default=None, strict=True, ge=0, le=MAX_MINUTES)
    days: int | None = Field(default=None, strict=True, ge=1, le=MAX_DAYS, description="Working days (kind working).")

    @model_validator(mode="after")
    def _one_amount(self) -> DurationIn:
        if (self.minutes is None) == (self.days is None):
            raise ValueError("give minutes or days, not both")
        if self.days is not None and self.kind != "working":
            raise ValueError("days are working days: kind must be working")
        return self

    def to_duration(self) -> Duration:
        if self.days is not None:
            return WorkingDays(self.days)
        delta = timedelta(minutes=self.minutes or 0)
        return WallClock(delta) if self.kind == "wall" else WorkingHours(delta)


class PolicyChangeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "duration": {"kind": "working", "minutes": 120},
                    "warn_before": {"kind": "working", "minutes": 30},
                    "reason": "replies count working time only from December",
                }
            ]
        },
    )
    duration: DurationIn
    warn_before: DurationIn
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _something_to_do(self) -> PolicyChangeIn:
        if self.duration.minutes == 0:
            raise ValueError("a step's duration must be more than 0 minutes")
        return self


class ResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


def _rule(duration: Duration, warn_before: Duration) -> RuleOut:
    return RuleOut(duration=duration.describe(), kind=duration.kind, warn_before=warn_before.describe())


def _change(row: Row[Any]) -> ChangeOut:
    rule = None
    if row.duration is not None and row.warn_before is not None:
        rule = _rule(parse_duration(row.duration), parse_duration(row.warn_before))
    return ChangeOut(rule=rule, reason=row.reason, changed_by=row.changed_by, changed_at=row.changed_at)


def _policy_out(default: SlaPolicy, current: SlaPolicy, change: Row[Any] | None) -> PolicyOut:
    return PolicyOut(
        step=current.step,
        title=current.title,
        duration=current.duration.describe(),
        kind=current.duration.kind,
        warn_before=current.warn_before.describe(),
        role=current.role,
        starts=current.starts,
        stops=current.stops,
        pauses=current.pauses,
        source=current.source,
        default=_rule(default.duration, default.warn_before),
        changed=_change(change) if change is not None and change.duration is not None else None,
    )


async def _provider(request: Request) -> PolicyProvider:
    provider: PolicyProvider = request.app.state.sla_policy_provider
    return provider


Provider = Annotated[PolicyProvider, Depends(_provider)]


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

    @router.get("/policies", summary="The SLA policies this service enforces, by step, beside their defaults")
    async def list_policies(session: SessionDep, provider: Provider, _: ClockReader) -> list[PolicyOut]:
        current = await provider.current(session)
        changes = await latest_changes(session)
        return [_policy_out(p, current[p.step], changes.get(p.step)) for p in provider.defaults]

    async def _known(provider: PolicyProvider, step: str) -> SlaPolicy:
        try:
            return provider.defaults[step]
        except KeyError:
            raise NotFound(f"{policies.service} has no SLA policy for step {step}", resource="sla-policy") from None

    @router.put(
        "/policies/{step}",
        summary="Change a step's duration, kind of time and warning lead (applies to clocks started after)",
        responses=problems(404),
    )
    async def change_policy(
        step: Annotated[str, Path(max_length=16, examples=["T1A3"])],
        body: PolicyChangeIn,
        session: SessionDep,
        provider: Provider,
        actor: SupervisorOnly,
    ) -> PolicyOut:
        """Role: supervisor. Stored and audited (`GET /sla/policies/{step}/changes`); clocks
        started from now on follow it, running ones keep the rule they started with."""
        default = await _known(provider, step)
        rule = (body.duration.to_duration(), body.warn_before.to_duration())
        await provider.change(session, step, rule, reason=body.reason, actor=actor.subject)
        current = await provider.current(session)
        return _policy_out(default, current[step], (await latest_changes(session)).get(step))

    @router.post(
        "/policies/{step}/reset", summary="Back to the step's default rule (for clocks started after)",
        responses=problems(404),
    )  # fmt: skip
    async def reset_policy(
        step: Annotated[str, Path(max_length=16, examples=["T1A3"])],
        body: ResetIn,
        session: SessionDep,
        provider: Provider,
        actor: SupervisorOnly,
    ) -> PolicyOut:
        """Role: supervisor. Audited like a change."""
        default = await _known(provider, step)
        await provider.change(session, step, None, reason=body.reason, actor=actor.subject)
        return _policy_out(default, (await provider.current(session))[step], None)

    @router.get(
        "/policies/{step}/changes", summary="Who changed a step's rule, when, why, to what", responses=problems(404)
    )
    async def policy_changes(
        step: Annotated[str, Path(max_length=16, examples=["T1A3"])],
        session: SessionDep,
        provider: Provider,
        _: ClockReader,
    ) -> list[ChangeOut]:
        await _known(provider, step)
        return [_change(row) for row in await changes_of(session, step)]

    return router
