"""The nomination as a fixed-time job: every day at 00:30 (calendar's zone) the previous month's
list is nominated if it is not yet, so §4.6 starts on the 1st without anyone asking; on the
days after (through the decision day) it only finds it there."""

from __future__ import annotations

from datetime import time
from typing import Any

from aftersales_chassis import Principal, Role
from aftersales_sla import FixedTimeJob, JobContext, SlaClocks

from ..reports.periods import add_months
from ..settings import TicketsSettings
from .service import RedBlackService

SYSTEM = Principal("tickets", frozenset({Role.service}))
_RUNNING: list[TicketsSettings] = []


class RunningSettings:
    """Keeps the app's settings where the fixed-time jobs (which get no app) read them."""

    def routers(self) -> list[Any]:
        return []

    async def start(self, app: Any) -> None:
        _RUNNING[:] = [app.state.settings]

    async def stop(self, app: Any) -> None:
        return None


def running_settings() -> TicketsSettings:
    return _RUNNING[0] if _RUNNING else TicketsSettings.model_construct()


async def nominate_previous_month(context: JobContext) -> None:
    settings = running_settings()
    today = context.scheduled_for.astimezone(context.calendar.zone).date()
    if today.day > settings.red_black_rules.decide_by_day:
        return  # nominated long ago, or by hand: a nomination this late would start a clock already breached
    from ..sla import POLICIES  # the book of the service (imported here: sla.py imports this package)

    sla = SlaClocks(context.session, context.calendar, POLICIES, context.now)
    service = RedBlackService(context.session, context.clock, sla, context.calendar.zone, settings.red_black_rules)
    await service.nominate(add_months(today.replace(day=1), -1), SYSTEM)


JOBS = (FixedTimeJob("red-black-nomination", "§4.6", (time(0, 30),), nominate_previous_month, days="every"),)
