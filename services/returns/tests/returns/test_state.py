import pytest

from aftersales_chassis import InvalidTransition
from returns_service.returns.models import ReturnState
from returns_service.returns.state import RETURN_FLOW

allowed_actions = RETURN_FLOW.allowed_actions
transition = RETURN_FLOW.require


def test_each_state_offers_only_its_actions() -> None:
    assert allowed_actions(ReturnState.requested) == ["approve", "reject", "cancel"]
    assert allowed_actions(ReturnState.approved) == [
        "enter-tracking",
        "log-arrival",
        "receive",
        "refund-without-parcel",
        "cancel",
    ]
    assert allowed_actions(ReturnState.received) == ["refund", "hold-refund", "release-refund", "request-exchange"]
    assert allowed_actions(ReturnState.refunded) == ["stock-in"]
    assert allowed_actions(ReturnState.exchange_shipped) == ["stock-in"]
    for final in (ReturnState.rejected, ReturnState.cancelled, ReturnState.stocked_in):
        assert allowed_actions(final) == []


def test_transition_names_its_step_and_target() -> None:
    found = transition("receive", ReturnState.approved)
    assert (found.step, found.target) == ("T1A5", ReturnState.received)


def test_stock_in_names_the_step_by_where_it_comes_from() -> None:
    assert transition("stock-in", ReturnState.refunded).step == "T1B3"
    assert transition("stock-in", ReturnState.exchange_shipped).step == "T3A4"


@pytest.mark.parametrize("state", [s for s in ReturnState if s is not ReturnState.received])
def test_refund_is_refused_before_receipt(state: ReturnState) -> None:
    with pytest.raises(InvalidTransition) as caught:
        transition("refund", state)
    assert caught.value.extensions["current_state"] == state.value
    assert caught.value.extensions["allowed_actions"] == allowed_actions(state)
