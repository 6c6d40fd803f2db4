"""The telephony port: what the phone system tells us about calls, in our terms.

A real adapter (the PBX's or cloud contact centre's webhooks) maps its payloads to
``CallEvent``s behind the same port; the fake adapter here takes our own wire format, so
that tests and the dev stack can replay a day of calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from . import schemas
from .models import CallEventKind


@dataclass(frozen=True)
class CallEvent:
    call_id: str
    kind: CallEventKind
    at: datetime
    phone: str
    wait_seconds: int | None = None


class TelephonyPort(Protocol):
    def events(self, body: schemas.CallEventsIn) -> Sequence[CallEvent]: ...


class FakeTelephony:
    """Our wire format as it is: one event per item."""

    def events(self, body: schemas.CallEventsIn) -> Sequence[CallEvent]:
        return [
            CallEvent(item.call_id, CallEventKind(item.kind), item.at, item.phone, item.wait_seconds)
            for item in body.events
        ]


TELEPHONY: TelephonyPort = FakeTelephony()
