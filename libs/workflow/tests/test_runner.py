"""Applying a transition writes the audit row, moves the state and the clocks and records the
event, in the caller's transaction; a refused one writes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import Forbidden, InvalidTransition, ManualClock, Principal, Role
from aftersales_chassis.db import Database
from aftersales_events import correlation_scope, outbox
from aftersales_events.catalogue.tickets import ComplaintClosed
from aftersales_sla import SlaClocks, sla_clocks
from aftersales_workflow import Move, WorkflowRunner, history, workflow_transitions

from .workflow_kit import CASE_FLOW, POLICIES, Case, CaseState

AGENT = Principal("alice", frozenset({Role.agent}))
SUPERVISOR = Principal("sam", frozenset({Role.supervisor}))
WAREHOUSE = Principal("wu", frozenset({Role.warehouse}))


def _runner(session: AsyncSession, calendar: BusinessCalendar, clock: ManualClock) -> WorkflowRunner:
    return CASE_FLOW.bind(session, clock, SlaClocks(session, calendar, POLICIES, clock.now()))


async def _clocks(session: AsyncSession, case: Case) -> dict[str, str]:
    rows = await session.execute(
        select(sla_clocks.c.step, sla_clocks.c.state).where(sla_clocks.c.aggregate_id == str(case.id))
    )
    return {step: state for step, state in rows}


async def _audit_rows(session: AsyncSession, case: Case) -> int:
    query = select(func.count()).where(workflow_transitions.c.aggregate_id == str(case.id))
    return int(await session.scalar(query) or 0)


async def test_a_case_runs_its_table_with_history_clocks_and_event(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    case = Case()
    async with database.sessionmaker() as session, session.begin():
        flow = _runner(session, calendar, clock)
        with correlation_scope("corr-1"):
            await flow.create(case, AGENT, reason="customer says two items missing")
        assert case.state == CaseState.accepted
        assert case.updated_at == clock.now()
        assert await _clocks(session, case) == {"C1": "running"}
        assert flow.allowed_actions(case) == ["investigate", "close"]

        clock.advance(timedelta(hours=2))
        await flow.apply(case, "investigate", AGENT)
        assert await _clocks(session, case) == {"C1": "stopped", "C2": "running"}

        clock.advance(timedelta(hours=1))
        await flow.apply(case, "note", WAREHOUSE, reason="shipping scale shows 1.2 kg")
        assert case.state == CaseState.investigating  # a fact recorded, the state stays

        closed = ComplaintClosed(complaint_id=case.id, closed_at=clock.now(), resolution="remedied")
        await flow.apply(case, "remedy", SUPERVISOR, event=closed)
        assert await _clocks(session, case) == {"C1": "stopped", "C2": "stopped"}

        trail = await history(session, CASE_FLOW, case.id)
        event_types = await session.scalars(select(outbox.c.event_type).where(outbox.c.message_key == str(case.id)))
        event_list = list(event_types)
    assert [(t.action, t.step, t.from_state, t.to_state, t.actor) for t in trail] == [
        ("open", "C1", None, "accepted", "alice"),
        ("investigate", "C2", "accepted", "investigating", "alice"),
        ("note", "C2", "investigating", "investigating", "wu"),
        ("remedy", "C3", "investigating", "remedied", "sam"),
    ]
    assert trail[0].reason == "customer says two items missing"
    assert trail[0].correlation_id == "corr-1"
    assert trail[0].at + timedelta(hours=3) == trail[3].at
    assert event_list == ["aftersales.tickets.ComplaintClosed.v1"]


async def test_an_outcome_picks_the_transition_among_several_from_one_state(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    case = Case()
    async with database.sessionmaker() as session, session.begin():
        await _runner(session, calendar, clock).create(case, AGENT, outcome="nothing-to-do")
        assert case.state == CaseState.closed
        assert await _clocks(session, case) == {}


async def test_the_wrong_state_is_a_409_and_writes_nothing(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    case = Case(state=CaseState.accepted)
    async with database.sessionmaker() as session, session.begin():
        with pytest.raises(InvalidTransition) as raised:
            await _runner(session, calendar, clock).apply(case, "remedy", SUPERVISOR)
        assert raised.value.extensions["current_state"] == "accepted"
        assert case.state == CaseState.accepted
        assert await _audit_rows(session, case) == 0


@pytest.mark.parametrize(
    "actor",
    [AGENT, WAREHOUSE, Principal("bob", frozenset({Role.agent}), scopes=frozenset({"refund:approve"}))],
    ids=["agent-without-scope", "warehouse", "agent-with-another-scope"],
)
async def test_a_role_the_transition_does_not_admit_is_a_403_and_writes_nothing(
    database: Database, calendar: BusinessCalendar, clock: ManualClock, actor: Principal
) -> None:
    case = Case(state=CaseState.investigating)
    async with database.sessionmaker() as session, session.begin():
        with pytest.raises(Forbidden) as raised:
            await _runner(session, calendar, clock).apply(case, "remedy", actor)
        assert raised.value.extensions["rule"] == "C3.role"
        assert raised.value.extensions["allowed"] == ["agent[remedy:grant]", "supervisor"]
        assert await _audit_rows(session, case) == 0


async def test_the_scope_the_transition_names_is_admitted(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    authorised = Principal("bob", frozenset({Role.agent}), scopes=frozenset({"remedy:grant"}))
    case = Case(state=CaseState.investigating)
    async with database.sessionmaker() as session, session.begin():
        await _runner(session, calendar, clock).apply(case, "remedy", authorised)
        assert case.state == CaseState.remedied


async def test_history_of_another_aggregate_type_with_the_same_id_is_not_mixed_in(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    shared_id = uuid.uuid4()
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            workflow_transitions.insert().values(
                aggregate_type="other", aggregate_id=str(shared_id), action="open", step="C1", to_state="x",
                actor="z", at=clock.now(),
            )
        )  # fmt: skip
        await _runner(session, calendar, clock).create(Case(id=shared_id), AGENT)
        trail = await history(session, CASE_FLOW, shared_id)
    assert [(t.action, t.to_state) for t in trail] == [("open", "accepted")]


async def test_create_many_writes_what_create_writes_for_each_record(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    """A page of new aggregates: audit rows, clocks and events as ``create`` makes them one by
    one, in a statement each; a role the transition does not admit writes nothing."""
    single, pair = Case(), [Case(), Case()]

    def opened(case: Case) -> ComplaintClosed:  # any catalogued payload will do
        return ComplaintClosed(complaint_id=case.id, closed_at=clock.now(), resolution="remedied")

    async with database.sessionmaker() as session, session.begin():
        flow = _runner(session, calendar, clock)
        with correlation_scope("corr-many"):
            await flow.create(single, AGENT, reason="why", event=opened(single))
            await flow.create_many(pair, AGENT, reasons=["why", "why"], events=[opened(pair[0]), None])
        with pytest.raises(Forbidden):
            await flow.create_many([Case()], WAREHOUSE, reasons=[None], events=[None])
        with pytest.raises(ValueError, match="reasons"):
            await flow.create_many([Case()], AGENT, reasons=[], events=[None])
        assert [(c.state, c.updated_at) for c in pair] == [(CaseState.accepted, clock.now())] * 2
        trails = [await history(session, CASE_FLOW, c.id) for c in (single, *pair)]
        clocks = [await _clocks(session, c) for c in (single, *pair)]
        events = [
            list(await session.scalars(select(outbox.c.event_type).where(outbox.c.message_key == str(c.id))))
            for c in (single, *pair)
        ]
    assert trails[1] == trails[0]
    assert trails[2] == trails[0]
    assert [(t.action, t.to_state, t.actor, t.reason, t.correlation_id) for t in trails[0]] == [
        ("open", "accepted", "alice", "why", "corr-many")
    ]
    assert clocks == [{"C1": "running"}] * 3
    assert [len(e) for e in events] == [1, 1, 0]


async def test_take_many_writes_what_create_and_apply_write_one_by_one(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    """The audit rows, states, clocks and events of a batch are those of the same transitions
    taken one at a time; a record created earlier in the batch is in its new state for a later move."""
    alone, batched = [Case(), Case()], [Case(), Case()]
    event = ComplaintClosed(complaint_id=uuid.uuid4(), order_id="TB-1", resolution="r", closed_at=clock.now())
    async with database.sessionmaker() as session, session.begin():
        flow = _runner(session, calendar, clock)
        await flow.create(alone[0], AGENT, reason="first", event=event)
        await flow.create(alone[1], AGENT, reason="second")
        await flow.apply(alone[1], "investigate", AGENT, reason="look")
        await flow.take_many(
            [
                Move(batched[0], reason="first", events=[event], new=True),
                Move(batched[1], reason="second", new=True),
                Move(batched[1], "investigate", reason="look"),
            ],
            AGENT,
        )
        for one, other in zip(alone, batched, strict=True):
            assert (one.state, one.updated_at) == (other.state, other.updated_at)
            assert await _clocks(session, one) == await _clocks(session, other)
            trail = [(h.action, h.from_state, h.to_state, h.reason) for h in await history(session, CASE_FLOW, one.id)]
            assert trail == [
                (h.action, h.from_state, h.to_state, h.reason) for h in await history(session, CASE_FLOW, other.id)
            ]
        assert await _clocks(session, batched[1]) == {"C1": "stopped", "C2": "running"}
        for one, other in zip(alone, batched, strict=True):
            written = [
                await session.scalar(select(func.count()).where(outbox.c.message_key == str(case.id)))
                for case in (one, other)
            ]
            assert written[0] == written[1]
        assert written == [0, 0]  # the second case recorded no event, the first one (checked above) did
        first = await session.scalar(select(func.count()).where(outbox.c.message_key == str(batched[0].id)))
        assert first == 1


async def test_take_many_refuses_a_move_the_table_refuses_and_writes_nothing(
    database: Database, calendar: BusinessCalendar, clock: ManualClock
) -> None:
    good, bad = Case(), Case()
    async with database.sessionmaker() as session:
        flow = _runner(session, calendar, clock)
        with pytest.raises(Forbidden):
            await flow.take_many([Move(good, new=True), Move(bad, new=True)], WAREHOUSE)
        with pytest.raises(InvalidTransition):
            await flow.take_many([Move(good, new=True), Move(bad, "remedy")], AGENT)
        assert await _audit_rows(session, good) == 0
        await session.rollback()
