"""SLA events. Every service publishes its own on its own topic (``<service>.events``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from ..services import SERVICE_NAMES
from .base import EventPayload, event


class SlaClockEvent(EventPayload):
    clock_id: uuid.UUID
    step: str
    aggregate_type: str
    aggregate_id: str
    started_at: datetime
    due_at: datetime
    duration: str
    provisional: bool = False


class SlaWarningBase(SlaClockEvent):
    """An SLA clock reached its warning time: the step is at risk."""

    warn_at: datetime


class SlaBreachedBase(SlaClockEvent):
    """An SLA clock passed its due time without the step being done."""

    breached_at: datetime


SLA_WARNING: dict[str, type[SlaWarningBase]] = {}
SLA_BREACHED: dict[str, type[SlaBreachedBase]] = {}

for _service in SERVICE_NAMES:
    SLA_WARNING[_service] = event(_service, "SlaWarning")(
        type("SlaWarning", (SlaWarningBase,), {"__module__": __name__, "__doc__": SlaWarningBase.__doc__})
    )
    SLA_BREACHED[_service] = event(_service, "SlaBreached")(
        type("SlaBreached", (SlaBreachedBase,), {"__module__": __name__, "__doc__": SlaBreachedBase.__doc__})
    )
