"""A declared state machine per aggregate: its transition table, checked when it is built.

Each transition names the API action that takes it, the process step (``T1A3``), the states
it leaves from, the state it reaches, who may take it, and the SLA clocks it stops, pauses,
resumes and starts. A table is checked when the service's module loads: an unknown state,
an unknown step id, a clock step with no policy, or two transitions for the same action
from the same state raise :class:`WorkflowDefinitionError` then, not at run time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Grant, InvalidTransition, Principal, Role, allow
from aftersales_events.steps import SPEC_STEPS
from aftersales_sla import PolicyBook, SlaClocks

if TYPE_CHECKING:
    from .runner import WorkflowRunner

NEW = None
"""The source "state" of a transition that creates the aggregate (``sources=[NEW]``)."""
CREATE = "open"
"""The action of creating transitions, as the audit trail shows it."""


class WorkflowDefinitionError(ValueError):
    """A transition table that cannot be right: raised when the module declaring it loads."""


@dataclass(frozen=True)
class Transition:
    action: str
    step: str
    sources: frozenset[str | None]
    target: str | None
    """None: the state stays (the action records a fact, e.g. a tracking number entered)."""
    grants: tuple[Grant, ...]
    outcome: str | None = None
    """Tells apart transitions of one action from one state that reach different targets
    (T1 routes a refund request to a cancellation or to T1A1): the caller names it."""
    starts: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()
    pauses: tuple[str, ...] = ()
    resumes: tuple[str, ...] = ()
    rule: str | None = None
    """The rule an illegal attempt names in its 409 (e.g. ``T1B2.refund-after-cancellation-confirmed``)."""

    def admits(self, actor: Principal) -> bool:
        return any(actor.has(grant.role, grant.scope) for grant in self.grants)


def on(
    action: str,
    step: str,
    sources: Iterable[str | None],
    target: str | None,
    *,
    by: Iterable[Role | Grant],
    outcome: str | None = None,
    starts: Sequence[str] = (),
    stops: Sequence[str] = (),
    pauses: Sequence[str] = (),
    resumes: Sequence[str] = (),
    rule: str | None = None,
) -> Transition:
    """One row of a transition table: ``on("approve", "T1A3", [S.requested], S.approved,
    by=[Role.supervisor], stops=["T1A3"], starts=["T1A4"])``."""
    return Transition(
        action=action,
        step=step,
        sources=frozenset(None if s is None else str(s) for s in sources),
        target=None if target is None else str(target),
        grants=tuple(g if isinstance(g, Grant) else Grant(g) for g in by),
        outcome=outcome,
        starts=tuple(starts),
        stops=tuple(stops),
        pauses=tuple(pauses),
        resumes=tuple(resumes),
        rule=rule,
    )


def _record_id(record: Any) -> str:
    return str(record.id)


class Workflow:
    """The state machine of one aggregate type (``return``, ``cancellation``, ...)."""

    def __init__(
        self,
        aggregate: str,
        states: type[StrEnum],
        transitions: Iterable[Transition],
        *,
        policies: PolicyBook,
        state_attribute: str = "state",
        touches: str | None = "updated_at",
        subject: Callable[[Any], str] = _record_id,
    ) -> None:
        """``touches``: the record's column set to the transition's instant (None: none).
        ``subject``: the message key of the events a transition records (default the
        aggregate's id; cancellations key theirs by order so an order's events stay in order)."""
        self.aggregate = aggregate
        self.states = states
        self.policies = policies
        self.state_attribute = state_attribute
        self.touches = touches
        self.subject = subject
        self.transitions: tuple[Transition, ...] = tuple(transitions)
        self._check()

    def _check(self) -> None:
        known_states = {str(s) for s in self.states}
        policy_steps = {p.step for p in self.policies}
        seen: set[tuple[str, str | None, str | None]] = set()
        for t in self.transitions:
            where = f"{self.aggregate} '{t.action}' ({t.step})"
            if t.step not in SPEC_STEPS and t.step not in policy_steps:
                raise WorkflowDefinitionError(f"{where}: step {t.step!r} is not a step of PROCESSES.md")
            for clock in (*t.starts, *t.stops, *t.pauses, *t.resumes):
                if clock not in policy_steps:
                    raise WorkflowDefinitionError(
                        f"{where}: clock {clock!r} has no SLA policy in {self.policies.service}'s PolicyBook"
                    )
            unknown = {s for s in t.sources if s is not None and s not in known_states}
            if t.target is not None and t.target not in known_states:
                unknown.add(t.target)
            if unknown:
                raise WorkflowDefinitionError(f"{where}: unknown state(s) {sorted(unknown)}")
            if not t.sources:
                raise WorkflowDefinitionError(f"{where}: no source state")
            if NEW in t.sources and t.target is None:
                raise WorkflowDefinitionError(f"{where}: a creating transition needs a target state")
            if not t.grants:
                raise WorkflowDefinitionError(f"{where}: nobody may take it (by=[] )")
            for source in t.sources:
                key = (t.action, t.outcome, source)
                if key in seen:
                    raise WorkflowDefinitionError(f"{where}: declared twice from state {source!r}")
                seen.add(key)

    def bind(self, session: AsyncSession, clock: Clock, sla: SlaClocks) -> WorkflowRunner:
        """The workflow applied inside one unit of work."""
        from .runner import WorkflowRunner  # the runner imports this module

        return WorkflowRunner(self, session, clock, sla)

    # -- reading the table -----------------------------------------------------------------

    def find(
        self, action: str, state: str | None, outcome: str | None = None, *, any_outcome: bool = False
    ) -> Transition | None:
        """The transition of ``action`` (and ``outcome``, or any with ``any_outcome``) from ``state``."""
        for t in self.transitions:
            if t.action == action and (any_outcome or t.outcome == outcome) and state in t.sources:
                return t
        return None

    def allowed_actions(self, state: str) -> list[str]:
        """The actions the state allows, in the table's order (each once)."""
        return list(dict.fromkeys(t.action for t in self.transitions if state in t.sources))

    def require(
        self, action: str, state: str | None, outcome: str | None = None, *, any_outcome: bool = False
    ) -> Transition:
        """The transition, or the one 409 (``current_state``, ``allowed_actions``)."""
        found = self.find(action, state, outcome, any_outcome=any_outcome)
        if found is not None:
            return found
        if not any(t.action == action and (any_outcome or t.outcome == outcome) for t in self.transitions):
            # A programming error (a misspelt action), not a client's: fails loudly.
            raise KeyError(f"{self.aggregate} has no action {action!r} (outcome {outcome!r})")
        rule = next((t.rule for t in self.transitions if t.action == action and t.rule), None)
        current = "new" if state is None else state
        resource = self.aggregate.replace("_", " ")
        raise InvalidTransition(action, current, self.allowed_actions(current), rule=rule, resource=resource)

    def grants(self, action: str) -> tuple[Grant, ...]:
        """Everyone who may take ``action`` from some state, in the table's order."""
        grants = [g for t in self.transitions if t.action == action for g in t.grants]
        if not grants:
            raise KeyError(f"{self.aggregate} has no action {action!r}")
        return tuple(dict.fromkeys(grants))

    def guard(self, action: str) -> Callable[..., Awaitable[Principal]]:
        """The route dependency admitting exactly who the table lets take ``action``."""
        return allow(*self.grants(action))

    def steps(self) -> frozenset[str]:
        """Every step id the table names, its own and its clocks'."""
        return frozenset(s for t in self.transitions for s in (t.step, *t.starts, *t.stops, *t.pauses, *t.resumes))
