"""The return's state machine: which action, at which step, from which states."""

from __future__ import annotations

from dataclasses import dataclass

from aftersales_chassis import InvalidTransition

from .models import ReturnState as S


@dataclass(frozen=True)
class Transition:
    step: str
    sources: frozenset[S]
    target: S | None  # None: the state stays (the action records a fact)


def _t(step: str, sources: set[S], target: S | None) -> Transition:
    return Transition(step, frozenset(sources), target)


TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    "approve": (_t("T1A3", {S.requested}, S.approved),),
    "reject": (_t("T1A3", {S.requested}, S.rejected),),
    "enter-tracking": (_t("T1A4", {S.approved}, None),),
    # M: the parcel is logged at the warehouse; the T1A5 clock starts.
    "log-arrival": (_t("M", {S.approved}, None),),
    "receive": (_t("T1A5", {S.approved}, S.received),),
    "refund": (_t("T2A", {S.received}, S.refunded),),
    # Supervisor-approved: refund with no parcel (goodwill, lost in transit).
    "refund-without-parcel": (_t("T2A", {S.approved}, S.refunded),),
    # Supervisor-approved: received, but the refund waits (inspection pending).
    "hold-refund": (_t("T2A", {S.received}, None),),
    "release-refund": (_t("T2A", {S.received}, None),),
    "request-exchange": (_t("T3A1", {S.received}, S.exchange_requested),),
    "ship-exchange": (_t("T3A2", {S.exchange_requested}, S.exchange_shipped),),
    "stock-in": (_t("T1B3", {S.refunded}, S.stocked_in), _t("T3A4", {S.exchange_shipped}, S.stocked_in)),
    "cancel": (_t("T1A2", {S.requested, S.approved}, S.cancelled),),
}


def allowed_actions(state: S) -> list[str]:
    return [action for action, options in TRANSITIONS.items() if any(state in t.sources for t in options)]


def transition(action: str, state: S) -> Transition:
    """The transition for ``action`` from ``state``, or a 409 naming what is allowed."""
    for option in TRANSITIONS[action]:
        if state in option.sources:
            return option
    raise InvalidTransition(action, state.value, allowed_actions(state))
