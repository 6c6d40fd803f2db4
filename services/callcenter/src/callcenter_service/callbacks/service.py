"""Use cases of the callback queue (PROCESSES.md §7.2). Methods only flush: the entry point
(the route, the consumer runner, the fixed-time job) commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import WorkingHours
from aftersales_chassis import Clock, Conflict, Page, PageParams, Principal, Role, RuleViolation, page_of
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..reminders.messaging import Message, MessagingPort
from ..settings import CallcenterSettings
from . import schemas
from .kinds import CLASSES, RULES, Due, TaskKind, due_of
from .models import CallAttempt, CallbackTask, CallingWindowOverride, CustomerFlag, TaskState
from .repository import CallbackRepository
from .state import CALLBACK_FLOW

SYSTEM = Principal(subject="callcenter", roles=frozenset({Role.service}))
"""Who opens and withdraws tasks that events and sweeps create."""


class DoNotCallRefused(RuleViolation):
    def __init__(self, phone: str) -> None:
        super().__init__("§7.2.do-not-call", f"{phone} is on the do-not-call register", field="body.phone")


def to_out(record: CallbackTask) -> schemas.TaskOut:
    out = schemas.TaskOut.model_validate(record)
    out.allowed_actions = CALLBACK_FLOW.allowed_actions(record.state)
    return out


@dataclass(frozen=True)
class TaskSpec:
    kind: TaskKind
    source: str
    phone: str
    requested_at: datetime
    customer_id: str | None = None
    customer_name: str = ""
    order_id: str | None = None
    note: str = ""
    event_date: date | None = None
    customer_flag: str | None = None
    due_at: datetime | None = None  # the due time another service owns (reviews' W1 clock), over the kind's rule


class CallbackService:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        sla: SlaClocks,
        settings: CallcenterSettings,
        messaging: MessagingPort | None = None,
    ) -> None:
        self.clock = clock
        self.messaging = messaging
        self.calendar = sla.calendar
        self.settings = settings
        self.repository = CallbackRepository(session)
        self.sla = sla
        self.flow = CALLBACK_FLOW.bind(session, clock, sla)

    # -- opening ------------------------------------------------------------------------------

    async def open(self, data: schemas.TaskIn, actor: Principal) -> tuple[schemas.TaskOut, bool]:
        """A task from the API; a resend of the same (source, step) answers the task already there."""
        spec = TaskSpec(
            kind=data.kind, source=data.source, phone=data.phone, requested_at=data.requested_at or self.clock.now(),
            customer_id=data.customer_id, customer_name=data.customer_name, order_id=data.order_id,
            note=data.note, event_date=data.event_date,
        )  # fmt: skip
        record, created = await self.open_task(spec, actor)
        return to_out(record), created

    async def open_task(self, spec: TaskSpec, actor: Principal = SYSTEM) -> tuple[CallbackTask, bool]:
        """Opens one task per (source, step), unless the phone is on the do-not-call register
        (``DoNotCallRefused``): checked under the phone's lock, so a do-not-call recorded at
        the same moment either closes this task or refuses it."""
        rule = RULES[spec.kind]
        existing = await self.repository.by_source(spec.source, rule.step)
        if existing is not None:
            return existing, False
        await self.repository.lock_phone(spec.phone)
        if await self.repository.do_not_call(spec.phone) is not None:
            raise DoNotCallRefused(spec.phone)
        now = self.clock.now()
        due = due_of(spec.kind, self.calendar, now, spec.requested_at, spec.event_date)
        if spec.due_at is not None:
            due = Due(due.not_before, spec.due_at, f"{rule.step}: due when the requesting service says")
        flag = spec.customer_flag or await self.repository.flag_of(spec.customer_id, spec.phone)
        record = CallbackTask(
            id=uuid.uuid4(), kind=spec.kind.value, priority_class=rule.priority_class, priority=rule.priority,
            source=spec.source, source_step=rule.step, phone=spec.phone, customer_id=spec.customer_id,
            customer_name=spec.customer_name, order_id=spec.order_id, note=spec.note,
            customer_flag=flag, requested_at=spec.requested_at, not_before=due.not_before,
            due_at=due.due_at, due_rule=due.rule, event_date=spec.event_date, attempts=0, unanswered=0,
            created_at=now, updated_at=now,
        )  # fmt: skip
        await self.flow.create(record, actor, outcome=rule.step, reason=spec.source)
        await self.repository.add(record)
        # The step's clock, due when the task is (its kind's rule), typed by kind: on-time % by
        # kind is its clocks' met ÷ stopped. Its final outcome stops it (``_stop_clock``).
        await self.sla.start(
            rule.step, spec.kind.value, str(record.id), at=now, due=due.due_at, rule=due.rule
        )  # fmt: skip
        return record, True

    async def withdraw(self, record: CallbackTask, reason: str, actor: Principal = SYSTEM) -> None:
        record.lease_holder, record.lease_token, record.lease_expires_at = None, None, None
        record.closed_at, record.closed_by = self.clock.now(), actor.subject
        await self.flow.apply(record, "withdraw", actor, reason=reason)
        await self._stop_clock(record, actor)

    async def _stop_clock(self, record: CallbackTask, actor: Principal) -> None:
        """The task's final outcome stops its clock: met when by the due time, breached after
        (a breach not yet announced is announced now; one already announced is not again)."""
        await self.sla.stop(record.source_step, str(record.id), by=actor.subject)

    async def review_call(
        self,
        case_id: str,
        phone: str,
        reviewed_at: datetime,
        *,
        customer_id: str | None,
        order_id: str | None,
        due_at: datetime | None = None,
    ) -> CallbackTask | None:
        """§5: the 24 h call for a neutral or negative review (from reviews' case, W1); due at
        ``due_at`` when reviews says (it owns the W1 clock), else 24 h after the review."""
        spec = TaskSpec(
            kind=TaskKind.review_call, source=f"review:{case_id}", phone=phone, requested_at=reviewed_at,
            customer_id=customer_id, order_id=order_id, note="§5: learn why the review was neutral or negative",
            due_at=due_at,
        )  # fmt: skip
        try:
            task, _ = await self.open_task(spec)
        except DoNotCallRefused:
            return None
        return task

    async def review_case_closed(self, case_id: str, outcome: str) -> bool:
        """The review case ended first: its call is no longer needed."""
        task = await self.repository.by_source(f"review:{case_id}", "W1")
        if task is None or task.state != TaskState.open:
            return False
        await self.withdraw(task, f"review case closed: {outcome}")
        return True

    async def flag_customer(
        self,
        source: str,
        customer_id: str | None,
        phone: str | None,
        reason: str,
        *,
        flagged_at: datetime | None = None,
    ) -> int:
        """E3: the customer is handled with care: their open tasks show the flag, and new ones will."""
        flag = CustomerFlag(id=uuid.uuid4(), customer_id=customer_id, phone=phone, reason=reason, source=source,
                            flagged_at=flagged_at or self.clock.now())  # fmt: skip
        if not await self.repository.add_flag(flag):
            return 0
        return await self.repository.flag_open_tasks(customer_id, phone, reason)

    async def withdraw_for_order(self, order_id: str, kind: TaskKind, reason: str) -> int:
        tasks = await self.repository.open_for_order(order_id, kind.value)
        for task in tasks:
            await self.withdraw(task, reason)
        return len(tasks)

    # -- claiming -----------------------------------------------------------------------------

    async def claim(self, actor: Principal) -> schemas.ClaimOut | None:
        """The next task in queue order, leased to ``actor``; None when nothing is callable.

        Only inside the calling window: working time, or a supervisor's recorded override
        (checked in the claim's own statement, which names it on the task). One statement
        either way (ADR 0025)."""
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.callback_lease_seconds)
        override_id: uuid.UUID | None = None
        if self.calendar.is_working_time(now):
            row = await self.repository.claim_next(actor.subject, now, lease)
        else:
            override_id, row = await self.repository.claim_under_override(actor.subject, now, lease)
            if override_id is None:
                raise Conflict(
                    "outside the calling window (working time) and no supervisor override is in force",
                    rule="§7.2.calling-window",
                    next_opening=self.calendar.next_opening(now).isoformat(),
                )
        if row is None:
            return None
        task = schemas.TaskOut.model_validate(row)
        task.allowed_actions = CALLBACK_FLOW.allowed_actions(task.state)
        return schemas.ClaimOut(
            task=task, lease_token=row["lease_token"], lease_expires_at=row["lease_expires_at"],
            calling_window_override=override_id,
        )  # fmt: skip

    # -- outcomes -----------------------------------------------------------------------------

    async def outcome(self, task_id: uuid.UUID, data: schemas.OutcomeIn, actor: Principal) -> schemas.TaskOut:
        """An attempt's outcome, from the holder of a live lease only; one final outcome per task."""
        record = await self.repository.get(task_id, for_update=True)
        action = data.outcome.replace("_", "-")
        self.flow.require(record, action)  # a closed task: the one 409, whoever asks
        now = self.clock.now()
        if (
            record.lease_token != data.lease_token
            or record.lease_holder != actor.subject
            or record.lease_expires_at is None
            or record.lease_expires_at <= now
        ):
            raise Conflict(
                "the lease on this task lapsed or is not yours: claim a task again",
                rule="§7.2.lease-lapsed",
                lease_holder=record.lease_holder if record.lease_holder == actor.subject else None,
            )
        summary = (data.summary or "").strip()
        if data.outcome == "reached" and not summary:
            raise RuleViolation("§7.2.summary-required", "a reached call needs a call summary", field="body.summary")
        event_call = data.outcome == "reached" and record.kind == TaskKind.event_signup
        if event_call and data.attending is None:
            raise RuleViolation(
                "§7.2.attendance-required", "an event signup reached says whether they will attend",
                field="body.attending",
            )  # fmt: skip
        unanswered = record.unanswered + (data.outcome != "reached")
        if data.outcome == "unreachable" and unanswered < 2:
            raise RuleViolation(
                "§7.2.two-unanswered-attempts",
                f"closing as unreachable needs at least 2 unanswered attempts; this would be {unanswered}",
                field="body.outcome",
                unanswered_attempts=record.unanswered,
            )
        await self.repository.add_attempt(
            CallAttempt(task_id=record.id, lease_token=data.lease_token, agent=actor.subject,
                        outcome=data.outcome, summary=summary or None, at=now)
        )  # fmt: skip
        record.attempts, record.unanswered = record.attempts + 1, unanswered
        record.lease_holder, record.lease_token, record.lease_expires_at = None, None, None
        if data.outcome == "no_answer":
            # Tried again in calling time; the original request time keeps its place in the queue.
            retry = WorkingHours(timedelta(minutes=self.settings.callback_retry_minutes))
            record.not_before = self.calendar.add(now, retry)
            await self.flow.apply(record, action, actor, reason=f"attempt {record.attempts}: no answer")
            return to_out(record)
        record.summary = summary or None
        record.closed_at, record.closed_by = now, actor.subject
        if event_call:
            record.attending = data.attending
            record.party_size = (data.party_size or 1) if data.attending else None
        await self.flow.apply(record, action, actor, reason=summary or f"attempt {record.attempts}: unreachable")
        await self._stop_clock(record, actor)
        if event_call and data.attending and self.messaging is not None:
            await self._event_reminder(record)
        return to_out(record)

    async def _event_reminder(self, record: CallbackTask) -> None:
        """§7.2: attendance confirmed, an SMS reminder of the event (once per task: its key)."""
        text = f"[Shop] See you on {record.event_date}: {record.party_size} place(s) reserved for you."
        assert self.messaging is not None
        await self.messaging.send(Message(channel="sms", to=record.phone, text=text, key=f"event:{record.id}"))

    async def attendance(self, event_date: date) -> schemas.AttendanceOut:
        counts = await self.repository.attendance(event_date)
        return schemas.AttendanceOut(event_date=event_date, **counts)

    # -- do-not-call and the calling window ---------------------------------------------------

    async def do_not_call(self, data: schemas.DoNotCallIn, actor: Principal) -> schemas.DoNotCallOut:
        """Registers the phone (once) and closes every open task for it."""
        await self.repository.lock_phone(data.phone)
        now = self.clock.now()
        await self.repository.add_do_not_call(data.phone, data.reason, actor.subject, now)
        tasks = await self.repository.open_for_phone(data.phone)
        for task in tasks:
            await self.withdraw(task, f"do-not-call: {data.reason}", actor)
        entry = await self.repository.do_not_call(data.phone)
        assert entry is not None
        return schemas.DoNotCallOut(
            phone=entry.phone, reason=entry.reason, recorded_by=entry.recorded_by, recorded_at=entry.recorded_at,
            closed_tasks=len(tasks),
        )  # fmt: skip

    async def add_override(self, data: schemas.OverrideIn, actor: Principal) -> schemas.OverrideOut:
        if data.ends_at <= data.starts_at:
            raise RuleViolation("§7.2.override-window", "ends_at must be after starts_at", field="body.ends_at")
        if data.ends_at - data.starts_at > timedelta(hours=24):
            raise RuleViolation("§7.2.override-window", "an override lasts at most 24 h", field="body.ends_at")
        record = CallingWindowOverride(
            id=uuid.uuid4(), starts_at=data.starts_at, ends_at=data.ends_at, reason=data.reason,
            recorded_by=actor.subject, recorded_at=self.clock.now(),
        )  # fmt: skip
        await self.repository.add_override(record)
        return schemas.OverrideOut.model_validate(record)

    async def overrides(self, page: PageParams) -> Page[schemas.OverrideOut]:
        rows = await self.repository.overrides(page)
        return page_of(rows, page, key=lambda r: (r.starts_at, r.id), item=schemas.OverrideOut.model_validate)

    # -- reading ------------------------------------------------------------------------------

    def _at_risk(self) -> timedelta:
        return timedelta(minutes=self.settings.callback_at_risk_minutes)

    async def queue(self) -> schemas.QueueOut:
        now = self.clock.now()
        found = {row["priority_class"]: row for row in await self.repository.queue_by_class(now, self._at_risk())}
        empty = {"open": 0, "leased": 0, "waiting": 0, "at_risk": 0, "breached": 0, "next_due_at": None}
        classes = [schemas.ClassQueue(**{**empty, **found.get(name, {}), "priority_class": name}) for name in CLASSES]
        return schemas.QueueOut(as_of=now, at_risk_minutes=self.settings.callback_at_risk_minutes, classes=classes)

    async def tasks(self, page: PageParams, **filters: str | None) -> Page[schemas.TaskOut]:
        rows = await self.repository.page(page, filters=filters, now=self.clock.now(), at_risk=self._at_risk())
        return page_of(rows, page, key=lambda r: (r.due_at, r.id), item=to_out)

    async def get(self, task_id: uuid.UUID) -> schemas.TaskOut:
        return to_out(await self.repository.get(task_id))

    async def history(self, task_id: uuid.UUID) -> list[TransitionOut]:
        await self.repository.get(task_id)
        return await self.flow.history(task_id)
