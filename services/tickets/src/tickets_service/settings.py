"""Settings of the tickets service: environment variables prefixed `TICKETS_`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from aftersales_chassis import ServiceSettings

from .red_black_list.rules import RedBlackRules


class PriorityRule(BaseModel):
    """One rule of a complaint's priority: every condition given must hold; the first rule
    that matches sets the priority (and whether the complaint is major)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    priority: str = Field(pattern="^(low|normal|high|urgent)$")
    major: bool = False
    channels: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    min_order_minor: int | None = Field(default=None, ge=0)


DEFAULT_PRIORITY_RULES: tuple[PriorityRule, ...] = (
    # A customer threatening the press, a regulator or a lawyer is a major complaint (§4 weekly report).
    PriorityRule(
        name="media-or-legal",
        priority="urgent",
        major=True,
        keywords=("曝光", "媒体", "记者", "律师", "起诉", "消协", "12315", "工商", "lawyer", "press"),
    ),
    PriorityRule(name="public-channel", priority="high", channels=("forum", "weibo")),
    PriorityRule(name="high-value-order", priority="high", min_order_minor=100_000),
)


class TicketsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TICKETS_", extra="ignore")

    phone_complaint_owner: str = Field(
        default="complaints-desk",
        description="§4: inbound-call complaints go at once to this person (the subject of their token); "
        "when the §4.5 clock runs out the complaint falls back to anyone.",
    )
    priority_rules: tuple[PriorityRule, ...] = Field(
        default=DEFAULT_PRIORITY_RULES,
        description="§4: a complaint's priority by rule, first match wins (JSON list); no match: normal.",
    )
    red_black_rules: RedBlackRules = Field(
        default_factory=RedBlackRules,
        description="§4: the published rules nominating the month's red and black lists (JSON object); "
        "GET /red-black-lists/rules returns them.",
    )
    # Issue 19: pre-sale (§1), A5 discount authority, satisfaction (§9).
    inquiry_conversion_days: int = Field(
        default=4,
        ge=1,
        le=90,
        description="§1: an inquiry converts when its customer places an order within this many days of asking "
        "(default: the pre-sale cycle of 4 days).",
    )
    discount_agent_limit_minor: int = Field(
        default=2000,
        ge=0,
        description="A5: what agents may grant alone per order, all grants together, in fen (20 yuan); above it a "
        "supervisor other than the requester approves.",
    )
    csat_target: float = Field(default=0.9, ge=0, le=1, description="§9: customer satisfaction at least 90%.")
