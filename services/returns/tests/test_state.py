import pytest

from aftersales_chassis import InvalidTransition
from returns_service.models import ReturnState
from returns_service.state import allowed_actions, transition


def test_each_state_offers_only_its_actions() -> None:
    assert allowed_actions(ReturnState.requested) == ["approve", "reject"]
    assert allowed_actions(ReturnState.approved) == ["log-arrival", "receive"]
    assert allowed_actions(ReturnState.received) == ["refund"]
    assert allowed_actions(ReturnState.refunded) == []
    assert allowed_actions(ReturnState.rejected) == []


def test_transition_names_its_step_and_target() -> None:
    found = transition("receive", ReturnState.approved)
    assert (found.step, found.target) == ("T1A5", ReturnState.received)


@pytest.mark.parametrize("state", [s for s in ReturnState if s is not ReturnState.received])
def test_refund_is_refused_before_receipt(state: ReturnState) -> None:
    with pytest.raises(InvalidTransition) as caught:
        transition("refund", state)
    assert caught.value.extensions["current_state"] == state.value
    assert caught.value.extensions["allowed_actions"] == allowed_actions(state)
