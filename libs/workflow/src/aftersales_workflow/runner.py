"""Applying a transition: the one place that checks it, writes the audit row, moves the
clocks and records the event, all inside the caller's unit of work (it only flushes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Forbidden, Principal
from aftersales_events import EventPayload, current_correlation_id, record_event, record_events
from aftersales_sla import SlaClocks

from .machine import CREATE, NEW, Transition, Workflow
from .schemas import TransitionOut
from .tables import workflow_transitions

# Built once: building the INSERT per transition cost more Python than running it.
AUDIT = insert(workflow_transitions)


@dataclass
class Move:
    """One transition of a batch (:meth:`WorkflowRunner.take_many`): ``action`` on ``record``,
    or its first (``new``: what :meth:`WorkflowRunner.create` takes), with the events it
    records, in order."""

    record: Any
    action: str = CREATE
    outcome: str | None = None
    reason: str | None = None
    events: Sequence[EventPayload] = ()
    new: bool = False


class WorkflowRunner:
    """A workflow bound to one unit of work: ``RETURN_FLOW.bind(session, clock, sla)``."""

    def __init__(self, workflow: Workflow, session: AsyncSession, clock: Clock, sla: SlaClocks) -> None:
        self.workflow = workflow
        self.session = session
        self.clock = clock
        self.sla = sla

    def state_of(self, record: Any) -> str:
        return str(getattr(record, self.workflow.state_attribute))

    def allowed_actions(self, record: Any) -> list[str]:
        return self.workflow.allowed_actions(self.state_of(record))

    def require(self, record: Any, action: str) -> Transition:
        """Checks, before any other work, that ``action`` (with whichever outcome) is allowed
        now: the 409 otherwise. :meth:`apply` checks again, for the outcome it is given."""
        return self.workflow.require(action, self.state_of(record), any_outcome=True)

    async def create(
        self,
        record: Any,
        actor: Principal,
        *,
        outcome: str | None = None,
        reason: str | None = None,
        event: EventPayload | None = None,
    ) -> Transition:
        """The aggregate's first transition (``sources=[NEW]``): sets its state and history."""
        transition = self.workflow.require(CREATE, NEW, outcome)
        await self._take(transition, record, None, actor, reason, event)
        return transition

    async def create_many(
        self,
        records: Sequence[Any],
        actor: Principal,
        *,
        reasons: Sequence[str | None],
        events: Sequence[EventPayload | None],
    ) -> Transition:
        """:meth:`create` for many new aggregates of one kind at once (a page of reviews):
        the audit rows in one statement, each transition's clocks in one statement per step,
        the events in one outbox write. What :meth:`create` writes for each, in fewer round
        trips; ``reasons`` and ``events`` one per record."""
        transition = self.workflow.require(CREATE, NEW, None)
        if not records:
            return transition
        if not len(records) == len(reasons) == len(events):
            raise ValueError(f"create_many: {len(records)} records, {len(reasons)} reasons, {len(events)} events")
        self._admit(transition, actor)
        workflow, now = self.workflow, self.clock.now()
        target = transition.target
        assert target is not None  # a creating transition has a target (checked on load)
        correlation_id = current_correlation_id()
        keys = [str(record.id) for record in records]
        await self.session.execute(
            AUDIT,
            [
                {
                    "aggregate_type": workflow.aggregate,
                    "aggregate_id": key,
                    "action": transition.action,
                    "step": transition.step,
                    "from_state": None,
                    "to_state": target,
                    "actor": actor.subject,
                    "reason": reason,
                    "correlation_id": correlation_id,
                    "at": now,
                }
                for key, reason in zip(keys, reasons, strict=True)
            ],
        )
        for record in records:
            setattr(record, workflow.state_attribute, target)
            if workflow.touches is not None:
                setattr(record, workflow.touches, now)
        for step in transition.starts:
            await self.sla.start_many(step, workflow.aggregate, keys)
        recorded = [(event, workflow.subject(r)) for r, event in zip(records, events, strict=True) if event is not None]
        await record_events(self.session, recorded, at=now)
        return transition

    async def apply(
        self,
        record: Any,
        action: str,
        actor: Principal,
        *,
        outcome: str | None = None,
        reason: str | None = None,
        event: EventPayload | None = None,
    ) -> Transition:
        """Takes ``action`` on a record the caller holds locked (``FOR UPDATE``): 409 from
        the wrong state, 403 for a role the transition does not admit; then the audit row,
        the state, the clocks and ``event`` into the outbox."""
        state = self.state_of(record)
        transition = self.workflow.require(action, state, outcome)
        await self._take(transition, record, state, actor, reason, event)
        return transition

    async def take_many(self, moves: Sequence[Move], actor: Principal) -> None:
        """Takes many transitions at once (a batch of records handed over together), in the
        order given: each checked as :meth:`apply` checks it (a record created earlier in the
        batch is in its new state for a later move), then all their audit rows in one
        statement, all the clocks they start in one, all their events in one. Stops, pauses
        and resumes look their clock up one by one, as :meth:`apply` does, after the clocks and
        events of the moves before them are written."""
        workflow = self.workflow
        now = self.clock.now()
        correlation_id = current_correlation_id()
        audit: list[dict[str, Any]] = []
        starts: list[tuple[str, str, str]] = []
        events: list[tuple[EventPayload, str]] = []
        for move in moves:
            state = NEW if move.new else self.state_of(move.record)
            transition = workflow.require(move.action, state, move.outcome)
            self._admit(transition, actor)
            target = transition.target or state
            assert target is not None  # a creating transition has a target (checked on load)
            key = str(move.record.id)
            audit.append(
                {
                    "aggregate_type": workflow.aggregate, "aggregate_id": key, "action": transition.action,
                    "step": transition.step, "from_state": state, "to_state": target, "actor": actor.subject,
                    "reason": move.reason, "correlation_id": correlation_id, "at": now,
                }
            )  # fmt: skip
            setattr(move.record, workflow.state_attribute, target)
            if workflow.touches is not None:
                setattr(move.record, workflow.touches, now)
            if transition.stops or transition.pauses or transition.resumes:
                # They look the open clock up, and a stop may record its breach: what the moves
                # before started and recorded goes first, so this one finds it and keeps the order.
                await self.sla.start_each(starts)
                await record_events(self.session, events, at=now)
                starts, events = [], []
            for step in transition.stops:
                await self.sla.stop(step, key, by=actor.subject)
            for step in transition.pauses:
                await self.sla.pause(step, key)
            for step in transition.resumes:
                await self.sla.resume(step, key)
            starts.extend((step, workflow.aggregate, key) for step in transition.starts)
            if move.events:
                subject = workflow.subject(move.record)
                events.extend((event, subject) for event in move.events)
        if not audit:
            return
        await self.session.execute(AUDIT, audit)
        await self.sla.start_each(starts)
        await record_events(self.session, events, at=now)

    @staticmethod
    def _admit(transition: Transition, actor: Principal) -> None:
        if not transition.admits(actor):
            allowed = [str(g) for g in transition.grants]
            raise Forbidden(
                f"{transition.step} '{transition.action}' requires one of: {', '.join(allowed)}",
                rule=f"{transition.step}.role",
                allowed=allowed,
            )

    async def _take(
        self,
        transition: Transition,
        record: Any,
        state: str | None,
        actor: Principal,
        reason: str | None,
        event: EventPayload | None,
    ) -> None:
        workflow = self.workflow
        self._admit(transition, actor)
        now = self.clock.now()
        target = transition.target or state
        assert target is not None  # a creating transition has a target (checked on load)
        key = str(record.id)
        await self.session.execute(
            AUDIT,
            {
                "aggregate_type": workflow.aggregate,
                "aggregate_id": key,
                "action": transition.action,
                "step": transition.step,
                "from_state": state,
                "to_state": target,
                "actor": actor.subject,
                "reason": reason,
                "correlation_id": current_correlation_id(),
                "at": now,
            },
        )
        setattr(record, workflow.state_attribute, target)
        if workflow.touches is not None:
            setattr(record, workflow.touches, now)
        for step in transition.stops:
            await self.sla.stop(step, key, by=actor.subject)
        for step in transition.pauses:
            await self.sla.pause(step, key)
        for step in transition.resumes:
            await self.sla.resume(step, key)
        if len(transition.starts) > 1:
            await self.sla.start_steps(transition.starts, workflow.aggregate, key)  # one round trip for all
        elif transition.starts:
            await self.sla.start(transition.starts[0], workflow.aggregate, key)
        if event is not None:
            await record_event(self.session, event, subject=workflow.subject(record), at=now)

    async def history(self, aggregate_id: Any) -> list[TransitionOut]:
        return await history(self.session, self.workflow, aggregate_id)


async def history(session: AsyncSession, workflow: Workflow, aggregate_id: Any) -> list[TransitionOut]:
    """The aggregate's audit trail, oldest first (the caller answers 404 for an unknown id)."""
    t = workflow_transitions
    rows = await session.execute(
        select(t.c.action, t.c.step, t.c.from_state, t.c.to_state, t.c.actor, t.c.reason, t.c.correlation_id, t.c.at)
        .where(t.c.aggregate_type == workflow.aggregate, t.c.aggregate_id == str(aggregate_id))
        .order_by(t.c.id)
    )
    return [TransitionOut.model_validate(dict(row._mapping)) for row in rows]
