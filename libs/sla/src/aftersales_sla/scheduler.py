"""The scheduler: fires SlaWarning and SlaBreached exactly once, runs fixed-time jobs once.

Each batch claims due clocks with ``FOR UPDATE SKIP LOCKED`` through a partial index,
stamps them and writes their events to the outbox in one transaction, so two replicas
never fire the same clock and a crash fires nothing twice. Work per tick is proportional
to the clocks that are due, not to the clocks that are open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Row, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import Clock
from aftersales_events import record_events

from .clocks import breach_payload, warning_payload
from .jobs import FixedTimeJob, JobContext, run_key
from .metrics import SLA_AT_RISK, SLA_BREACHES, SLA_ON_TIME_RATIO, SLA_OPEN, SLA_OVERDUE, SLA_TICK, SLA_WARNINGS
from .tables import scheduled_runs, sla_clocks

log = structlog.get_logger("sla.scheduler")
CalendarSource = Callable[[AsyncSession], Awaitable[BusinessCalendar]]


@dataclass(frozen=True)
class TickResult:
    warned: int
    breached: int
    jobs_run: int


class SlaScheduler:
    def __init__(
        self,
        *,
        service: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        calendar: CalendarSource,
        clock: Clock,
        jobs: Sequence[FixedTimeJob] = (),
        interval: float = 1.0,
        batch_size: int = 500,
        job_lookback: timedelta = timedelta(days=1),
        on_fired: Callable[[], None] | None = None,
        gauge_interval: float = 30.0,
    ) -> None:
        self.service = service
        self._gauge_interval = gauge_interval
        self._sessionmaker = sessionmaker
        self._calendar = calendar
        self._clock = clock
        self._jobs = tuple(jobs)
        self._interval = interval
        self._batch_size = batch_size
        self._job_lookback = job_lookback
        self._jobs_checked_until = clock.now() - job_lookback
        self._on_fired = on_fired
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_gauges = 0.0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"sla-scheduler-{self.service}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def tick(self) -> TickResult:
        started = time.perf_counter()
        now = self._clock.now()
        warned = await self._drain(self._fire_warnings, now)
        breached = await self._drain(self._fire_breaches, now)
        jobs_run = await self._run_jobs(now)
        SLA_TICK.labels(self.service).observe(time.perf_counter() - started)
        if (warned or breached or jobs_run) and self._on_fired is not None:
            self._on_fired()
        return TickResult(warned, breached, jobs_run)

    async def _drain(self, fire: Callable[[datetime], Awaitable[int]], now: datetime) -> int:
        total = 0
        while (fired := await fire(now)) > 0:
            total += fired
            if fired < self._batch_size:
                break
        return total

    async def _claim(self, session: AsyncSession, pending: Any, order: Any, stamp: dict[str, Any]) -> list[Row[Any]]:
        due = (
            select(sla_clocks.c.id)
            .where(pending)
            .order_by(order)
            .limit(self._batch_size)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        claimed = await session.execute(
            update(sla_clocks).where(sla_clocks.c.id == due.c.id).values(**stamp).returning(*sla_clocks.c)
        )
        return list(claimed.all())

    async def _fire_warnings(self, now: datetime) -> int:
        pending = and_(
            sla_clocks.c.state == "running",
            sla_clocks.c.warned_at.is_(None),
            sla_clocks.c.breached_at.is_(None),
            sla_clocks.c.warn_at <= now,
        )
        async with self._sessionmaker() as session, session.begin():
            rows = await self._claim(session, pending, sla_clocks.c.warn_at, {"warned_at": now})
            events = [(warning_payload(self.service, row), row.aggregate_id) for row in rows]
            await record_events(session, events, at=now)
        for row in rows:
            SLA_WARNINGS.labels(self.service, row.step).inc()
        return len(rows)

    async def _fire_breaches(self, now: datetime) -> int:
        pending = and_(sla_clocks.c.state == "running", sla_clocks.c.breached_at.is_(None), sla_clocks.c.due_at <= now)
        async with self._sessionmaker() as session, session.begin():
            rows = await self._claim(session, pending, sla_clocks.c.due_at, {"breached_at": now})
            await record_events(
                session, [(breach_payload(self.service, row, now), row.aggregate_id) for row in rows], at=now
            )
        for row in rows:
            SLA_BREACHES.labels(self.service, row.step).inc()
            log.info("sla.breached", step=row.step, aggregate_id=row.aggregate_id, due_at=row.due_at.isoformat())
        return len(rows)

    async def _run_jobs(self, now: datetime) -> int:
        if not self._jobs:
            return 0
        ran = 0
        async with self._sessionmaker() as session:
            calendar = await self._calendar(session)
        # After a long stop, catch up at most the lookback (a day), not every missed run.
        since = max(self._jobs_checked_until, now - self._job_lookback)
        for job in self._jobs:
            instants = job.runs_between(calendar, since, now)
            for instant in instants if job.catch_up else instants[-1:]:
                async with self._sessionmaker() as session, session.begin():
                    if not job.every_replica and not await self._claim_run(session, job, instant, calendar):
                        continue  # another replica (or an earlier tick) ran it
                    await job.action(
                        JobContext(
                            session=session, scheduled_for=instant, now=now, calendar=calendar, clock=self._clock
                        )
                    )
                ran += 1
                log.info("sla.job.ran", job=job.name, step=job.step, scheduled_for=instant.isoformat())
        self._jobs_checked_until = now
        return ran

    @staticmethod
    async def _claim_run(
        session: AsyncSession, job: FixedTimeJob, instant: datetime, calendar: BusinessCalendar
    ) -> bool:
        """The run's once-across-replicas claim: True for the one replica that got it."""
        claimed = await session.scalar(
            pg_insert(scheduled_runs)
            .values(job=job.name, run_key=run_key(instant, calendar))
            .on_conflict_do_nothing()
            .returning(scheduled_runs.c.job)
        )
        return claimed is not None

    async def refresh_gauges(self) -> None:
        """Open/at-risk/overdue counts and the 30-day on-time ratio, by step (a periodic query)."""
        now = self._clock.now()
        open_state = sla_clocks.c.state != "stopped"
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(
                    sla_clocks.c.step,
                    func.count(),
                    func.count().filter(and_(sla_clocks.c.warn_at <= now, sla_clocks.c.breached_at.is_(None))),
                    func.count().filter(sla_clocks.c.due_at <= now),
                )
                .where(open_state)
                .group_by(sla_clocks.c.step)
            )
            for step, total, at_risk, overdue in rows:
                SLA_OPEN.labels(self.service, step).set(total)
                SLA_AT_RISK.labels(self.service, step).set(at_risk)
                SLA_OVERDUE.labels(self.service, step).set(overdue)
            ratios = await session.execute(
                select(
                    sla_clocks.c.step,
                    func.count().filter(sla_clocks.c.outcome == "met"),
                    func.count(),
                )
                .where(sla_clocks.c.stopped_at >= now - timedelta(days=30))
                .group_by(sla_clocks.c.step)
            )
            for step, met, stopped in ratios:
                SLA_ON_TIME_RATIO.labels(self.service, step).set(met / stopped if stopped else 1.0)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
                if time.monotonic() - self._last_gauges > self._gauge_interval:
                    self._last_gauges = time.monotonic()
                    await self.refresh_gauges()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sla.scheduler.tick_failed", service=self.service)
            try:
                await asyncio.wait_for(self._stopping.wait(), self._interval)
            except TimeoutError:
                continue
