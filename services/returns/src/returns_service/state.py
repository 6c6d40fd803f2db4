"""The return's state machine: which action, at which step, from which states."""

from __future__ import annotations

from dataclasses import dataclass

from aftersales_chassis import InvalidTransition

from .models import ReturnState


@dataclass(frozen=True)
class Transition:
    step: str
    sources: frozenset[ReturnState]
    target: ReturnState


TRANSITIONS: dict[str, Transition] = {
    "approve": Transition("T1A3", frozenset({ReturnState.requested}), ReturnState.approved),
    "reject": Transition("T1A3", frozenset({ReturnState.requested}), ReturnState.rejected),
    # M: the parcel is logged at the warehouse; the state stays, the T1A5 clock starts.
    "log-arrival": Transition("M", frozenset({ReturnState.approved}), ReturnState.approved),
    "receive": Transition("T1A5", frozenset({ReturnState.approved}), ReturnState.received),
    "refund": Transition("T2A", frozenset({ReturnState.received}), ReturnState.refunded),
}


def allowed_actions(state: ReturnState) -> list[str]:
    return [action for action, t in TRANSITIONS.items() if state in t.sources]


def transition(action: str, state: ReturnState) -> Transition:
    """The transition for ``action`` from ``state``, or a 409 naming what is allowed."""
    found = TRANSITIONS[action]
    if state not in found.sources:
        raise InvalidTransition(action, state.value, allowed_actions(state))
    return found
