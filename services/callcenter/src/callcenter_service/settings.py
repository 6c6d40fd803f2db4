"""Settings of the callcenter service: environment variables prefixed `CALLCENTER_`.

Each is one of PROCESSES.md §10's product defaults that an operator may change; the API
publishes the ones in force beside the figures they shape (the call-loss formula's threshold)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from fastapi import Request
from pydantic import AwareDatetime, BaseModel, Field
from pydantic_settings import SettingsConfigDict

from aftersales_chassis import ServiceSettings


class CampaignPeriod(BaseModel):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class CallcenterSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")

    callback_lease_seconds: int = Field(
        default=600, ge=30, le=7200, description="How long a claimed callback stays the claimer's (§7.2)."
    )
    callback_retry_minutes: int = Field(
        default=30, ge=1, le=1440, description="Working minutes before an unanswered callback is tried again."
    )
    callback_at_risk_minutes: int = Field(
        default=10, ge=0, le=1440, description="A callback this close to its due time shows as at risk."
    )
    short_abandon_seconds: int = Field(
        default=0,
        ge=0,
        le=600,
        description="Abandons shorter than this are left out of the call-loss rate (§10; default 0 s: none are). "
        "Every missed caller still goes on the missed-call list.",
    )
    call_loss_limit_percent: float = Field(default=25.0, gt=0, le=100, description="§7.1: at most 25%.")
    reminder_delay_minutes: int = Field(
        default=30, ge=0, le=60, description="B: minutes after an unpaid order its reminder goes out (due within 1 h)."
    )
    large_order_minor: int = Field(
        default=100_000, ge=0, description="B5: orders of at least this (minor units) get a phone reminder."
    )
    sms_campaigns: list[CampaignPeriod] = Field(
        default_factory=list, description="B4: campaign periods in which reminders go by SMS (JSON list)."
    )
    quiet_hours: tuple[time, time] = Field(
        default=(time(21, 0), time(8, 0)), description="No SMS from the first to the second (local): chat instead."
    )

    def in_campaign(self, at: datetime) -> bool:
        return any(period.starts_at <= at < period.ends_at for period in self.sms_campaigns)

    def quiet(self, local: time) -> bool:
        start, end = self.quiet_hours
        return local >= start or local < end if start > end else start <= local < end


def settings_of(resources: Any) -> CallcenterSettings:
    """The service's settings from the app state (a request's or an event context's resources)."""
    found = getattr(resources, "settings", None)
    return found if isinstance(found, CallcenterSettings) else CallcenterSettings.model_construct()


async def get_settings(request: Request) -> CallcenterSettings:
    return settings_of(request.app.state)


_RUNNING: list[Any] = []


def use_state(state: Any) -> None:
    """The running app's state (settings, ports), for work that has no request or event
    context: the fixed-time jobs."""
    _RUNNING[:] = [state]


def running_state() -> Any:
    if not _RUNNING:
        raise RuntimeError("the callcenter app has not started")
    return _RUNNING[0]


def running_settings() -> CallcenterSettings:
    return settings_of(_RUNNING[0]) if _RUNNING else CallcenterSettings.model_construct()


class SettingsExtension:
    """Makes the app's settings and ports those its fixed-time jobs read."""

    def routers(self) -> list[Any]:
        return []

    async def start(self, app: Any) -> None:
        use_state(app.state)

    async def stop(self, app: Any) -> None:
        return None
