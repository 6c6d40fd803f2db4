"""SLA policies: one per timed process step, declared in each service's ``sla.py``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from aftersales_calendar import Duration
from aftersales_events.steps import SPEC_STEPS


@dataclass(frozen=True)
class SlaPolicy:
    """The rule for one step's clock (PROCESSES.md step id, e.g. ``T1A3``)."""

    step: str
    title: str
    duration: Duration
    warn_before: Duration
    role: str
    starts: str
    stops: str
    pauses: str = "never"
    source: str = ""


class PolicyBook:
    """The policies of one service, by step id."""

    def __init__(self, service: str, policies: Iterable[SlaPolicy]) -> None:
        self.service = service
        self._by_step: dict[str, SlaPolicy] = {}
        for policy in policies:
            if policy.step not in SPEC_STEPS:
                raise ValueError(f"{service}: SLA policy step {policy.step!r} is not a step of PROCESSES.md")
            if policy.step in self._by_step:
                raise ValueError(f"{service}: SLA policy for {policy.step} declared twice")
            self._by_step[policy.step] = policy

    def __getitem__(self, step: str) -> SlaPolicy:
        try:
            return self._by_step[step]
        except KeyError:
            raise KeyError(f"{self.service} has no SLA policy for step {step}") from None

    def __iter__(self) -> Iterator[SlaPolicy]:
        return iter(self._by_step.values())

    def __len__(self) -> int:
        return len(self._by_step)

    def with_rules(self, rules: Mapping[str, tuple[Duration, Duration]]) -> PolicyBook:
        """This book with some steps' (duration, warn_before) changed by an operator."""
        return PolicyBook(
            self.service,
            [
                replace(p, duration=rules[p.step][0], warn_before=rules[p.step][1]) if p.step in rules else p
                for p in self
            ],
        )
