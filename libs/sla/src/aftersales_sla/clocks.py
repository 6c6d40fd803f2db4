"""Starting, pausing, resuming and stopping clocks, inside the caller's unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, DateTime, Row, String, Text, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar, Duration, WallClock, WorkingHours
from aftersales_events import record_event
from aftersales_events.catalogue.sla import SLA_BREACHED, SLA_WARNING

from .metrics import observe_stop
from .overrides import encode_duration, parse_duration
from .policy import PolicyBook
from .tables import sla_clocks

# Aggregates that already have an open clock for the step keep it (the partial unique index).
START_MANY = text(
    "INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration, started_at, due_at,"
    " warn_at, provisional, warn_rule)"
    " SELECT gen_random_uuid(), :step, :aggregate_type, c.aggregate_id, :state, :kind, :duration, :started_at,"
    " :due_at, :warn_at, :provisional, :warn_rule FROM unnest(:aggregate_ids) AS c(aggregate_id)"
    " ON CONFLICT DO NOTHING"
).bindparams(
    bindparam("aggregate_ids", type_=ARRAY(Text())),
    *(bindparam(name, type_=String()) for name in ("step", "aggregate_type", "state", "kind", "duration", "warn_rule")),
    *(bindparam(name, type_=DateTime(timezone=True)) for name in ("started_at", "due_at", "warn_at")),
    bindparam("provisional", type_=Boolean()),
)

# One step's clocks of several aggregates, each from its own instant (a page of reviews, each
# counted from when it was written): the schedules differ per row, so they go in as arrays.
START_MANY_AT = text(
    "INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration, started_at, due_at,"
    " warn_at, provisional, warn_rule)"
    " SELECT gen_random_uuid(), :step, :aggregate_type, c.aggregate_id, 'running', :kind, :duration, c.started_at,"
    " c.due_at, c.warn_at, c.provisional, :warn_rule"
    " FROM unnest(:aggregate_ids, :started_ats, :due_ats, :warn_ats, :provisionals)"
    " AS c(aggregate_id, started_at, due_at, warn_at, provisional) ON CONFLICT DO NOTHING"
).bindparams(
    bindparam("aggregate_ids", type_=ARRAY(Text())),
    *(bindparam(name, type_=ARRAY(DateTime(timezone=True))) for name in ("started_ats", "due_ats", "warn_ats")),
    bindparam("provisionals", type_=ARRAY(Boolean())),
    *(bindparam(name, type_=String()) for name in ("step", "aggregate_type", "kind", "duration", "warn_rule")),
)

# Several steps' clocks of one aggregate (a transition that starts two or three at once).
START_STEPS = text(
    "INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration, started_at, due_at,"
    " warn_at, provisional, warn_rule)"
    " SELECT gen_random_uuid(), c.step, :aggregate_type, :aggregate_id, 'running', c.kind, c.duration, :started_at,"
    " c.due_at, c.warn_at, c.provisional, c.warn_rule"
    " FROM unnest(:steps, :kinds, :durations, :due_ats, :warn_ats, :provisionals, :warn_rules)"
    " AS c(step, kind, duration, due_at, warn_at, provisional, warn_rule) ON CONFLICT DO NOTHING"
).bindparams(
    *(bindparam(name, type_=ARRAY(Text())) for name in ("steps", "kinds", "durations", "warn_rules")),
    *(bindparam(name, type_=ARRAY(DateTime(timezone=True))) for name in ("due_ats", "warn_ats")),
    bindparam("provisionals", type_=ARRAY(Boolean())),
    *(bindparam(name, type_=String()) for name in ("aggregate_type", "aggregate_id")),
    bindparam("started_at", type_=DateTime(timezone=True)),
)

# Clocks of many aggregates, each its own step (a batch of transitions: complaints handed over together).
START_EACH = text(
    "INSERT INTO sla_clocks (id, step, aggregate_type, aggregate_id, state, kind, duration, started_at, due_at,"
    " warn_at, provisional, warn_rule)"
    " SELECT gen_random_uuid(), c.step, c.aggregate_type, c.aggregate_id, 'running', c.kind, c.duration, :started_at,"
    " c.due_at, c.warn_at, c.provisional, c.warn_rule"
    " FROM unnest(:steps, :aggregate_types, :aggregate_ids, :kinds, :durations, :due_ats, :warn_ats, :provisionals,"
    " :warn_rules) AS c(step, aggregate_type, aggregate_id, kind, duration, due_at, warn_at, provisional, warn_rule)"
    " ON CONFLICT DO NOTHING"
).bindparams(
    *(
        bindparam(name, type_=ARRAY(Text()))
        for name in ("steps", "aggregate_types", "aggregate_ids", "kinds", "durations", "warn_rules")
    ),
    *(bindparam(name, type_=ARRAY(DateTime(timezone=True))) for name in ("due_ats", "warn_ats")),
    bindparam("provisionals", type_=ARRAY(Boolean())),
    bindparam("started_at", type_=DateTime(timezone=True)),
)


@dataclass(frozen=True)
class StoppedClock:
    step: str
    outcome: str  # met | breached
    due_at: datetime
    stopped_at: datetime


def clock_fields(row: Row[Any]) -> dict[str, Any]:
    """What every SLA event says about its clock."""
    return {
        "clock_id": row.id,
        "step": row.step,
        "aggregate_type": row.aggregate_type,
        "aggregate_id": row.aggregate_id,
        "started_at": row.started_at,
        "due_at": row.due_at,
        "duration": row.duration,
        "provisional": row.provisional,
    }


def breach_payload(service: str, row: Row[Any], at: datetime) -> Any:
    return SLA_BREACHED[service](**clock_fields(row), breached_at=at)


def warning_payload(service: str, row: Row[Any]) -> Any:
    return SLA_WARNING[service](**clock_fields(row), warn_at=row.warn_at)


def _remaining(kind: str, seconds: float) -> Duration:
    delta = timedelta(seconds=max(seconds, 0.0))
    return WorkingHours(delta) if kind == "working" else WallClock(delta)


class SlaClocks:
    """One service's clocks. Methods only flush: the entry point commits."""

    def __init__(self, session: AsyncSession, calendar: BusinessCalendar, policies: PolicyBook, now: datetime) -> None:
        self.session = session
        self.calendar = calendar
        self.policies = policies
        self.now = now

    def _schedule(
        self, step: str, started: datetime, due: datetime | None = None, rule: str | None = None
    ) -> dict[str, Any]:
        """Due and warning instants of a clock of ``step`` started at ``started`` (due after the
        policy's duration, or at ``due`` when the aggregate's own rule sets it)."""
        policy = self.policies[step]
        if due is None:
            due = self.calendar.add(started, policy.duration)
        return {
            "step": step,
            "state": "running",
            "kind": policy.duration.kind,
            "duration": rule or policy.duration.describe(),
            "started_at": started,
            "due_at": due,
            "warn_at": max(self.calendar.subtract(due, policy.warn_before), started),
            "provisional": self._provisional(policy.duration.kind, due),
            "warn_rule": encode_duration(policy.warn_before),
        }

    def _provisional(self, kind: str, due: datetime) -> bool:
        """A working-time due instant computed for a year without the official holiday data
        (make-up days included) may move when it is published; a wall-clock one never does."""
        return kind == "working" and self.calendar.is_provisional(due.astimezone(self.calendar.zone).date())

    async def start(
        self,
        step: str,
        aggregate_type: str,
        aggregate_id: str,
        *,
        at: datetime | None = None,
        due: datetime | None = None,
        rule: str | None = None,
    ) -> uuid.UUID:
        """Starts the step's clock for an aggregate (a no-op if one is already open).

        ``due`` (with ``rule``, its words, shown as the clock's duration): where one step
        covers work whose due time its kind sets (a callback queue's task kinds), the
        aggregate's own due time; the policy's warning lead still applies."""
        schedule = self._schedule(step, at or self.now, due, rule)
        clock_id = uuid.uuid4()
        # One round trip for a new clock (the usual case): the partial unique index on open
        # clocks turns a second start into no row, and only then is the open one looked up.
        inserted = await self.session.scalar(
            pg_insert(sla_clocks)
            .values(id=clock_id, aggregate_type=aggregate_type, aggregate_id=aggregate_id, **schedule)
            .on_conflict_do_nothing()
            .returning(sla_clocks.c.id)
        )
        if inserted is not None:
            return clock_id
        existing = await self._open(step, aggregate_id)
        assert existing is not None  # the conflict was with it
        return uuid.UUID(str(existing.id))

    async def start_many(
        self,
        step: str,
        aggregate_type: str,
        aggregate_ids: Sequence[str],
        *,
        at: Sequence[datetime] | None = None,
    ) -> None:
        """Starts one clock per aggregate in one statement (a batch of scans, say); aggregates
        that already have an open clock for the step keep it. ``at``, one instant per
        aggregate: each clock starts then (what :meth:`start` with ``at`` does for each);
        otherwise all start now."""
        if not aggregate_ids:
            return
        if at is not None:
            if len(at) != len(aggregate_ids):
                raise ValueError(f"start_many: {len(aggregate_ids)} aggregates but {len(at)} start instants")
            schedules = [self._schedule(step, started) for started in at]
            first = schedules[0]
            await self.session.execute(
                START_MANY_AT,
                {
                    "aggregate_ids": list(aggregate_ids),
                    "started_ats": list(at),
                    "due_ats": [s["due_at"] for s in schedules],
                    "warn_ats": [s["warn_at"] for s in schedules],
                    "provisionals": [s["provisional"] for s in schedules],
                    "step": step,
                    "aggregate_type": aggregate_type,
                    "kind": first["kind"],
                    "duration": first["duration"],
                    "warn_rule": first["warn_rule"],
                },
            )
            return
        # One statement over an array of ids: every clock of the batch has the same schedule.
        # The clocks' own ids are made by the server (nothing here needs them).
        await self.session.execute(
            START_MANY,
            {"aggregate_ids": list(aggregate_ids), "aggregate_type": aggregate_type, **self._schedule(step, self.now)},
        )

    async def start_steps(self, steps: Sequence[str], aggregate_type: str, aggregate_id: str) -> None:
        """Starts several steps' clocks of one aggregate in one statement (what :meth:`start`
        does for each, one round trip instead of one per step); a step whose clock is already
        open keeps it."""
        if not steps:
            return
        schedules = [self._schedule(step, self.now) for step in steps]
        await self.session.execute(
            START_STEPS,
            {
                "steps": [s["step"] for s in schedules],
                "kinds": [s["kind"] for s in schedules],
                "durations": [s["duration"] for s in schedules],
                "due_ats": [s["due_at"] for s in schedules],
                "warn_ats": [s["warn_at"] for s in schedules],
                "provisionals": [s["provisional"] for s in schedules],
                "warn_rules": [s["warn_rule"] for s in schedules],
                "aggregate_type": aggregate_type,
                "aggregate_id": aggregate_id,
                "started_at": self.now,
            },
        )

    async def start_each(self, clocks: Sequence[tuple[str, str, str]]) -> None:
        """Starts ``(step, aggregate_type, aggregate_id)`` clocks of many aggregates in one
        statement (what :meth:`start` does for each); one already open keeps its clock. A
        step's schedule is worked out once: every clock here starts now."""
        if not clocks:
            return
        schedules: dict[str, dict[str, Any]] = {}
        for step, _, _ in clocks:
            if step not in schedules:
                schedules[step] = self._schedule(step, self.now)
        rows = [schedules[step] for step, _, _ in clocks]
        await self.session.execute(
            START_EACH,
            {
                "steps": [step for step, _, _ in clocks],
                "aggregate_types": [kind for _, kind, _ in clocks],
                "aggregate_ids": [key for _, _, key in clocks],
                "kinds": [s["kind"] for s in rows],
                "durations": [s["duration"] for s in rows],
                "due_ats": [s["due_at"] for s in rows],
                "warn_ats": [s["warn_at"] for s in rows],
                "provisionals": [s["provisional"] for s in rows],
                "warn_rules": [s["warn_rule"] for s in rows],
                "started_at": self.now,
            },
        )

    async def pause(self, step: str, aggregate_id: str) -> None:
        """Waiting on the customer: time from now until resume does not count."""
        self.policies[step]  # an unknown step raises (a typo must not silently do nothing)
        row = await self._open(step, aggregate_id, lock=True)
        if row is None or row.state != "running":
            return
        if row.kind == "working":
            left = self.calendar.working_time_between(self.now, row.due_at).total_seconds()
        else:
            left = (row.due_at - self.now).total_seconds()
        await self.session.execute(
            update(sla_clocks)
            .where(sla_clocks.c.id == row.id)
            .values(state="paused", paused_at=self.now, remaining_seconds=left)
        )

    async def resume(self, step: str, aggregate_id: str) -> None:
        policy = self.policies[step]
        row = await self._open(step, aggregate_id, lock=True)
        if row is None or row.state != "paused":
            return
        due = self.calendar.add(self.now, _remaining(row.kind, row.remaining_seconds or 0.0))
        # The lead the clock started with; clocks from before platform_0008 take the policy's.
        lead = parse_duration(row.warn_rule) if row.warn_rule else policy.warn_before
        warn = max(self.calendar.subtract(due, lead), self.now)
        await self.session.execute(
            update(sla_clocks)
            .where(sla_clocks.c.id == row.id)
            .values(
                state="running",
                paused_at=None,
                remaining_seconds=None,
                due_at=due,
                warn_at=warn,
                provisional=self._provisional(row.kind, due),
            )
        )

    async def stop(self, step: str, aggregate_id: str, *, by: str) -> StoppedClock | None:
        """The step is done. Late means breached; a breach not yet announced is announced now."""
        self.policies[step]  # an unknown step raises (a typo must not silently do nothing)
        row = await self._open(step, aggregate_id, lock=True)
        if row is None:
            return None
        late = self.now > row.due_at if row.state == "running" else (row.remaining_seconds or 0) <= 0
        outcome = "breached" if late or row.breached_at is not None else "met"
        values: dict[str, Any] = {"state": "stopped", "stopped_at": self.now, "stopped_by": by, "outcome": outcome}
        if outcome == "breached" and row.breached_at is None:
            values["breached_at"] = self.now
            await record_event(
                self.session,
                breach_payload(self.policies.service, row, self.now),
                subject=row.aggregate_id,
                at=self.now,
            )
        await self.session.execute(update(sla_clocks).where(sla_clocks.c.id == row.id).values(**values))
        observe_stop(self.policies.service, step, outcome, (row.due_at - self.now).total_seconds())
        return StoppedClock(step=step, outcome=outcome, due_at=row.due_at, stopped_at=self.now)

    async def _open(self, step: str, aggregate_id: str, *, lock: bool = False) -> Row[Any] | None:
        query = select(sla_clocks).where(
            sla_clocks.c.aggregate_id == aggregate_id, sla_clocks.c.step == step, sla_clocks.c.state != "stopped"
        )
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).first()
