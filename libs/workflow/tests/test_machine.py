"""The transition table is checked when it is built, and read the same way everywhere."""

from __future__ import annotations

import pytest

from aftersales_chassis import Grant, InvalidTransition, Role
from aftersales_workflow import NEW, Workflow, WorkflowDefinitionError, on

from .workflow_kit import CASE_FLOW, POLICIES, CaseState

S = CaseState


def _flow(*transitions):  # type: ignore[no-untyped-def]
    return Workflow("case", CaseState, transitions, policies=POLICIES)


def test_a_well_formed_table_loads() -> None:
    assert CASE_FLOW.steps() == {"C1", "C2", "C3", "C3A"}


@pytest.mark.parametrize(
    ("transition", "message"),
    [
        (on("x", "C9", [S.accepted], S.closed, by=[Role.agent]), "step 'C9' is not a step of PROCESSES.md"),
        (on("x", "C1", [S.accepted], S.closed, by=[Role.agent], stops=["C3"]), "clock 'C3' has no SLA policy"),
        (on("x", "C1", [S.accepted], S.closed, by=[Role.agent], starts=["T1A3"]), "clock 'T1A3' has no SLA"),
        (on("x", "C1", ["archived"], S.closed, by=[Role.agent]), "unknown state(s) ['archived']"),
        (on("x", "C1", [S.accepted], "gone", by=[Role.agent]), "unknown state(s) ['gone']"),
        (on("x", "C1", [S.accepted], S.closed, by=[]), "nobody may take it"),
        (on("x", "C1", [], S.closed, by=[Role.agent]), "no source state"),
        (on("open", "C1", [NEW], None, by=[Role.agent]), "needs a target state"),
    ],
)
def test_a_wrong_table_fails_when_it_loads(transition, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowDefinitionError, match=r"case '(x|open)'") as raised:
        _flow(transition)
    assert message in str(raised.value)


def test_one_action_from_one_state_is_declared_once() -> None:
    with pytest.raises(WorkflowDefinitionError, match="declared twice from state 'accepted'"):
        _flow(
            on("close", "C3A", [S.accepted], S.closed, by=[Role.agent]),
            on("close", "C3A", [S.accepted, S.remedied], S.closed, by=[Role.agent]),
        )
    # The same action from other states, or with another outcome, is fine.
    _flow(
        on("close", "C3A", [S.accepted], S.closed, by=[Role.agent]),
        on("close", "C3A", [S.remedied], S.closed, by=[Role.agent]),
        on("close", "C3A", [S.accepted], S.remedied, by=[Role.agent], outcome="kept"),
    )


def test_allowed_actions_follow_the_table_order_once_each() -> None:
    assert CASE_FLOW.allowed_actions("accepted") == ["investigate", "close"]
    assert CASE_FLOW.allowed_actions("investigating") == ["note", "remedy"]
    assert CASE_FLOW.allowed_actions("closed") == []


def test_an_illegal_action_is_the_one_409_with_state_allowed_actions_and_rule() -> None:
    with pytest.raises(InvalidTransition) as raised:
        CASE_FLOW.require("remedy", "accepted")
    problem = raised.value
    assert problem.status == 409
    assert problem.extensions == {
        "action": "remedy",
        "current_state": "accepted",
        "allowed_actions": ["investigate", "close"],
        "rule": "C3.after-investigation",
    }
    assert "while the case is 'accepted'" in problem.detail


def test_a_misspelt_action_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="no action 'aprove'"):
        CASE_FLOW.require("aprove", "accepted")
    with pytest.raises(KeyError):
        CASE_FLOW.grants("aprove")


def test_the_guard_admits_everyone_the_table_names_for_the_action() -> None:
    assert CASE_FLOW.grants("note") == (Grant(Role.warehouse), Grant(Role.agent))
    assert CASE_FLOW.grants("remedy") == (Grant(Role.agent, "remedy:grant"), Grant(Role.supervisor))
    guard = CASE_FLOW.guard("remedy")
    assert guard.allowed_grants == CASE_FLOW.grants("remedy")  # type: ignore[attr-defined]
