"""SLA policies an operator changes at run time (PROCESSES.md §10): a step's duration, its
kind of time and its warning lead, without a deploy.

Every change is a row of ``sla_policy_changes`` (who, when, why, the new rule, or a reset to
the code's default): the table is the audit trail, and the latest row of a step is the rule
in force. :class:`PolicyProvider` keeps the policy book with the changes applied, as the
calendar provider keeps the calendar: re-read at most every ``max_age`` seconds, at once
after a change made through it. A change applies to clocks started after it; a running
clock keeps the rule it started with (its due and warning instants, its kind and its
warning lead are stored on the clock).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import Duration, WallClock, WorkingDays, WorkingHours

from .policy import PolicyBook
from .tables import sla_policy_changes


def encode_duration(duration: Duration) -> str:
    """``wall:<seconds>``, ``working:<seconds>`` or ``wd:<days>``: what a clock or a change stores."""
    if isinstance(duration, WorkingDays):
        return f"wd:{duration.days}"
    prefix = "wall" if isinstance(duration, WallClock) else "working"
    return f"{prefix}:{int(duration.delta.total_seconds())}"


def parse_duration(text: str) -> Duration:
    kind, _, amount = text.partition(":")
    if kind == "wd":
        return WorkingDays(int(amount))
    delta = timedelta(seconds=int(amount))
    if kind == "wall":
        return WallClock(delta)
    if kind == "working":
        return WorkingHours(delta)
    raise ValueError(f"not an encoded duration: {text!r}")


Rule = tuple[Duration, Duration]  # (duration, warn_before)


async def load_rules(session: AsyncSession) -> dict[str, Rule]:
    """The changed rule in force per step (a step whose latest change is a reset has none)."""
    rows = (await latest_changes(session)).values()
    return {
        row.step: (parse_duration(row.duration), parse_duration(row.warn_before))
        for row in rows
        if row.duration is not None and row.warn_before is not None
    }


async def changes_of(session: AsyncSession, step: str) -> list[Row[Any]]:
    """Every change of a step's rule, oldest first: the audit trail."""
    query = select(sla_policy_changes).where(sla_policy_changes.c.step == step).order_by(sla_policy_changes.c.id)
    return list((await session.execute(query)).all())


async def latest_changes(session: AsyncSession) -> dict[str, Row[Any]]:
    """The latest change of each step that was ever changed (a reset included)."""
    t = sla_policy_changes.c
    latest = select(sla_policy_changes).where(t.id.in_(select(func.max(t.id)).group_by(t.step)))
    return {row.step: row for row in (await session.execute(latest)).all()}


class PolicyProvider:
    """The policy book in force: the code's defaults with the stored changes applied."""

    def __init__(
        self, defaults: PolicyBook, *, max_age: float = 2.0, monotonic: Callable[[], float] = _time.monotonic
    ) -> None:
        self.defaults = defaults
        self.max_age = max_age
        self._monotonic = monotonic
        self._rules: dict[str, Rule] | None = None
        self._book = defaults
        self._checked_at = 0.0

    def invalidate(self) -> None:
        self._rules = None

    async def current(self, session: AsyncSession) -> PolicyBook:
        now = self._monotonic()
        if self._rules is not None and now - self._checked_at < self.max_age:
            return self._book
        rules = await load_rules(session)
        if rules != self._rules:
            self._book = self.defaults.with_rules(rules)
            self._rules = rules
        self._checked_at = now
        return self._book

    async def change(self, session: AsyncSession, step: str, rule: Rule | None, *, reason: str, actor: str) -> datetime:
        """Stores a step's new rule (None: back to the default); returns when it was stored."""
        self.defaults[step]  # an unknown step raises
        duration, warn_before = (encode_duration(rule[0]), encode_duration(rule[1])) if rule else (None, None)
        statement = (
            insert(sla_policy_changes)
            .values(step=step, duration=duration, warn_before=warn_before, reason=reason, changed_by=actor)
            .returning(sla_policy_changes.c.changed_at)
        )
        changed_at: datetime = (await session.execute(statement)).scalar_one()
        self.invalidate()
        return changed_at
