"""A complaint's priority by rule (§4): channel, keywords, order value; the rules are a setting
(TICKETS_PRIORITY_RULES), the first that matches wins, a supervisor may change the result."""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import PriorityRule
from .models import Priority


@dataclass(frozen=True)
class Ranked:
    priority: Priority
    rule: str
    major: bool


DEFAULT = Ranked(Priority.normal, "default", False)


def matches(rule: PriorityRule, *, channel: str, text: str, order_minor: int | None) -> bool:
    if rule.channels and channel not in rule.channels:
        return False
    folded = text.casefold()
    if rule.keywords and not any(word.casefold() in folded for word in rule.keywords):
        return False
    if rule.min_order_minor is not None and (order_minor is None or order_minor < rule.min_order_minor):
        return False
    return bool(rule.channels or rule.keywords or rule.min_order_minor is not None)  # an empty rule matches nothing


def rank(rules: tuple[PriorityRule, ...], *, channel: str, text: str, order_minor: int | None) -> Ranked:
    for rule in rules:
        if matches(rule, channel=channel, text=text, order_minor=order_minor):
            return Ranked(Priority(rule.priority), rule.name, rule.major)
    return DEFAULT
