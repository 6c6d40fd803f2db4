"""Every query of the callback queue."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, case, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.db import driver_fetchrow
from aftersales_chassis.keyset import keyset

from .models import (
    LEASE_TOKENS,
    CallAttempt,
    CallbackTask,
    CallingWindowOverride,
    CustomerFlag,
    DoNotCall,
    TaskState,
)

TASKS: Table = CallbackTask.__table__  # type: ignore[assignment]

_CLAIM_COLUMNS = ", ".join(column.name for column in TASKS.columns)
# The claim's statements are formatted from the model's own names only (no input reaches
# them): S608 does not apply. $1 the agent, $2 now, $3 the lease's end.
_NEXT = """SELECT id FROM callback_tasks
              WHERE state = 'open' AND not_before <= $2 AND (lease_expires_at IS NULL OR lease_expires_at <= $2){window}
              ORDER BY priority, due_at, requested_at, id
              LIMIT 1 FOR UPDATE SKIP LOCKED"""
_LEASE = f"lease_holder = $1, lease_token = nextval('{LEASE_TOKENS.name}'), lease_expires_at = $3, updated_at = $2"
CLAIM = f"""
UPDATE callback_tasks
   SET {_LEASE}, claimed_by_override = NULL
 WHERE id = ({_NEXT.format(window="")})
RETURNING {_CLAIM_COLUMNS}
"""  # noqa: S608
"""The claim in working time: the first claimable open task in queue order (priority class
and rank, due time, original request time; the partial index ``ix_callback_tasks_queue`` in
that order, read until the first row it can lock), leased with the next fencing token."""
CLAIM_UNDER_OVERRIDE = f"""
WITH calling_window AS MATERIALIZED (
    SELECT id FROM calling_window_overrides WHERE starts_at <= $2 AND ends_at > $2 ORDER BY ends_at DESC LIMIT 1
), claimed AS (
    UPDATE callback_tasks
       SET {_LEASE}, claimed_by_override = (SELECT id FROM calling_window)
     WHERE id = ({_NEXT.format(window=" AND EXISTS (SELECT FROM calling_window)")})
    RETURNING {_CLAIM_COLUMNS}
)
SELECT calling_window.id AS calling_window_override, claimed.*
  FROM (VALUES (1)) AS one LEFT JOIN calling_window ON true LEFT JOIN claimed ON true
"""  # noqa: S608
"""The claim outside working time, in the same statement as its calling window: leases only
while a supervisor's override is in force, and names it on the task. Always one row: the
override in force (NULL: none, nothing claimed) and the claimed task's columns (NULL: none)."""


class CallbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- tasks ------------------------------------------------------------------------------

    async def add(self, record: CallbackTask) -> None:
        self.session.add(record)
        await self.session.flush()

    async def get(self, task_id: uuid.UUID, *, for_update: bool = False) -> CallbackTask:
        query = select(CallbackTask).where(CallbackTask.id == task_id)
        if for_update:
            query = query.with_for_update()  # serialises outcomes on one task
        record = await self.session.scalar(query)
        if record is None:
            raise NotFound(f"callback task {task_id} does not exist", resource="callback task", id=str(task_id))
        return record

    async def by_source(self, source: str, step: str) -> CallbackTask | None:
        query = select(CallbackTask).where(CallbackTask.source == source, CallbackTask.source_step == step)
        found: CallbackTask | None = await self.session.scalar(query)
        return found

    async def open_for_phone(self, phone: str) -> list[CallbackTask]:
        query = select(CallbackTask).where(CallbackTask.phone == phone, CallbackTask.state == TaskState.open)
        return list(await self.session.scalars(query.order_by(CallbackTask.id).with_for_update()))

    async def open_for_order(self, order_id: str, kind: str) -> list[CallbackTask]:
        query = select(CallbackTask).where(
            CallbackTask.order_id == order_id, CallbackTask.kind == kind, CallbackTask.state == TaskState.open
        )
        return list(await self.session.scalars(query.order_by(CallbackTask.id).with_for_update()))

    async def claim_next(self, agent: str, now: datetime, lease: timedelta) -> dict[str, Any] | None:
        """Leases the first claimable task in queue order to ``agent`` with a new fencing token
        (working time); the leased row's columns, or None when nothing is claimable.

        One statement, one round trip, and no ``BEGIN``/``COMMIT`` when it is the request's
        first (``driver_fetchrow``: the statement is whole on its own, ADR 0025). ``SKIP
        LOCKED`` lets concurrent claimers each lock a different row without waiting on each
        other; a row whose lease lapsed is claimable again (its old token is then stale)."""
        return await driver_fetchrow(self.session, CLAIM, agent, now, now + lease)

    async def claim_under_override(
        self, agent: str, now: datetime, lease: timedelta
    ) -> tuple[uuid.UUID | None, dict[str, Any] | None]:
        """Outside working time: the supervisor override in force (None: none, so nothing was
        claimed) and the task leased under it (None: nothing claimable), in one statement."""
        row = await driver_fetchrow(self.session, CLAIM_UNDER_OVERRIDE, agent, now, now + lease)
        assert row is not None  # the statement always answers one row
        override: uuid.UUID | None = row.pop("calling_window_override")
        return override, (row if row["id"] is not None else None)

    async def add_attempt(self, attempt: CallAttempt) -> None:
        self.session.add(attempt)
        await self.session.flush()

    async def page(
        self, page: PageParams, *, filters: dict[str, Any], now: datetime, at_risk: timedelta
    ) -> list[CallbackTask]:
        t = CallbackTask
        query = select(t)
        if filters.get("state"):
            query = query.where(t.state == filters["state"])
        if filters.get("priority_class"):
            query = query.where(t.priority_class == filters["priority_class"])
        if filters.get("kind"):
            query = query.where(t.kind == filters["kind"])
        if filters.get("phone"):
            query = query.where(t.phone == filters["phone"])
        timing = filters.get("timing")
        if timing == "breached":
            query = query.where(t.due_at < now)
        elif timing == "at_risk":
            query = query.where(t.due_at >= now, t.due_at < now + at_risk)
        elif timing == "on_time":
            query = query.where(t.due_at >= now + at_risk)
        return list(await self.session.scalars(keyset(query, page, t.due_at, t.id)))

    async def queue_by_class(self, now: datetime, at_risk: timedelta) -> list[dict[str, Any]]:
        """Open tasks per priority class: how many, leased, not yet callable, at risk, breached."""
        t = CallbackTask
        leased = (t.lease_expires_at.is_not(None)) & (t.lease_expires_at > now)
        rows = await self.session.execute(
            select(
                t.priority_class,
                func.count().label("open"),
                func.count().filter(leased).label("leased"),
                func.count().filter(t.not_before > now).label("waiting"),
                func.count().filter(t.due_at < now).label("breached"),
                func.count().filter(t.due_at >= now, t.due_at < now + at_risk).label("at_risk"),
                func.min(t.due_at).label("next_due_at"),
            )
            .where(t.state == TaskState.open)
            .group_by(t.priority_class)
        )
        return [dict(row._mapping) for row in rows]

    async def attendance(self, event_date: date) -> dict[str, int]:
        t = CallbackTask
        row = (
            await self.session.execute(
                select(
                    func.count().label("signups"),
                    func.count().filter(t.state == TaskState.reached).label("reached"),
                    func.count().filter(t.attending.is_(True)).label("attending"),
                    func.coalesce(func.sum(t.party_size).filter(t.attending.is_(True)), 0).label("expected_attendees"),
                ).where(t.kind == "event_signup", t.event_date == event_date)
            )
        ).one()
        return {key: int(value) for key, value in row._mapping.items()}

    # -- customer flags (E3) -----------------------------------------------------------------

    async def flag_of(self, customer_id: str | None, phone: str) -> str | None:
        f = CustomerFlag
        who = f.phone == phone if customer_id is None else or_(f.phone == phone, f.customer_id == customer_id)
        found: str | None = await self.session.scalar(
            select(f.reason).where(who).order_by(f.flagged_at.desc()).limit(1)
        )
        return found

    async def add_flag(self, flag: CustomerFlag) -> bool:
        statement = (
            pg_insert(CustomerFlag)
            .values(id=flag.id, customer_id=flag.customer_id, phone=flag.phone, reason=flag.reason,
                    source=flag.source, flagged_at=flag.flagged_at)
            .on_conflict_do_nothing(index_elements=["source"])
            .returning(CustomerFlag.id)
        )  # fmt: skip
        return (await self.session.scalar(statement)) is not None

    async def flag_open_tasks(self, customer_id: str | None, phone: str | None, reason: str) -> int:
        t = CallbackTask
        who = [t.phone == phone] if phone else []
        who += [t.customer_id == customer_id] if customer_id else []
        if not who:
            return 0
        result = await self.session.execute(
            update(t).where(t.state == TaskState.open, or_(*who)).values(customer_flag=reason)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        return int(result.rowcount)  # type: ignore[attr-defined]

    # -- do-not-call ------------------------------------------------------------------------

    async def lock_phone(self, phone: str) -> None:
        """Serialises everything that opens or closes tasks of one phone (do-not-call against
        a task being opened concurrently): a transaction-scoped advisory lock on the number."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:phone, 21))"), {"phone": phone})

    async def do_not_call(self, phone: str) -> DoNotCall | None:
        return await self.session.get(DoNotCall, phone)

    async def add_do_not_call(self, phone: str, reason: str, by: str, at: datetime) -> bool:
        statement = (
            pg_insert(DoNotCall)
            .values(phone=phone, reason=reason, recorded_by=by, recorded_at=at)
            .on_conflict_do_nothing(index_elements=["phone"])
            .returning(DoNotCall.phone)
        )
        return (await self.session.scalar(statement)) is not None

    # -- calling window -----------------------------------------------------------------------

    async def add_override(self, record: CallingWindowOverride) -> None:
        self.session.add(record)
        await self.session.flush()

    async def overrides(self, page: PageParams) -> list[CallingWindowOverride]:
        o = CallingWindowOverride
        return list(await self.session.scalars(keyset(select(o), page, o.starts_at, o.id)))

    # -- metrics ------------------------------------------------------------------------------

    async def on_time_by_kind(self) -> list[tuple[str, int, int]]:
        """Closed tasks per kind: how many, and how many closed by their due time."""
        t = CallbackTask
        on_time = func.count().filter(t.closed_at <= t.due_at)
        rows = await self.session.execute(
            select(t.kind, func.count(), on_time)
            .where(t.state.in_([TaskState.reached, TaskState.unreachable]))
            .group_by(t.kind)
        )
        return [(row[0], row[1], row[2]) for row in rows]

    async def attempts_per_task(self) -> float:
        t = CallbackTask
        value = await self.session.scalar(
            select(func.avg(case((t.attempts > 0, t.attempts)))).where(t.state != TaskState.open)
        )
        return float(value or 0.0)
