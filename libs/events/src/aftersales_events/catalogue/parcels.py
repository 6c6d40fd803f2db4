"""Warehouse parcel events (PROCESSES.md §6.3, M … M12), published by the returns service.

No personal data (phone, sender, address) travels in these: consumers that need the
customer read it from the return or the order.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from .base import EventPayload, event

ScanKind = Literal["arrived", "opened", "inspected", "stocked_in"]
MatchRule = Literal["return_number", "return_tracking_number", "phone", "sender_name", "address", "agent", "claim"]
Disposition = Literal["held", "returned_to_sender", "disposed"]
# Their own topic, returns.parcels: every scan makes one or two of these, and the
# consumers of returns.events (finance, returns' own refund handler) need none (ADR 0013).
STREAM = "parcels"


@event("returns", "ParcelScanned", step="M", stream=STREAM)
class ParcelScanned(EventPayload):
    """A warehouse scanner recorded a parcel event (arrived, opened, inspected, stocked-in)."""

    scan_id: str
    parcel_id: UUID
    tracking_number: str
    kind: ScanKind
    scanned_at: datetime
    intact: bool | None = None


@event("returns", "ParcelMatched", step="M1", stream=STREAM)
class ParcelMatched(EventPayload):
    """A parcel was linked to its return: automatically (M1) or by an agent (M3 → M5)."""

    parcel_id: UUID
    tracking_number: str
    return_id: UUID
    order_id: str
    matched_by: MatchRule
    matched_at: datetime
    actor: str


@event("returns", "ParcelUnmatched", step="M2", stream=STREAM)
class ParcelUnmatched(EventPayload):
    """No single return matched the parcel: it goes to customer service to identify (M2–M3)."""

    parcel_id: UUID
    tracking_number: str
    reason: Literal["no-candidate", "ambiguous"]
    candidates: int
    at: datetime


@event("returns", "ParcelUnclaimed", step="M4", stream=STREAM)
class ParcelUnclaimed(EventPayload):
    """Customer service could not identify the parcel: recorded in the unclaimed register (M4–M6)."""

    parcel_id: UUID
    tracking_number: str
    recorded_by: str
    note: str
    at: datetime


@event("returns", "ParcelClaimed", step="M5", stream=STREAM)
class ParcelClaimed(EventPayload):
    """An unclaimed parcel was later claimed and linked to its return (M5)."""

    parcel_id: UUID
    tracking_number: str
    return_id: UUID
    order_id: str
    claimed_by: str
    at: datetime


@event("returns", "ParcelDisposed", step="M6", stream=STREAM)
class ParcelDisposed(EventPayload):
    """What happened to an unclaimed parcel: held, returned to the sender, or disposed of."""

    parcel_id: UUID
    tracking_number: str
    disposition: Disposition
    decided_by: str
    at: datetime


@event("returns", "ParcelNeedsAttention", step="M7", stream=STREAM)
class ParcelNeedsAttention(EventPayload):
    """Inspection found the goods not intact (or the return's tracking number missing): an
    agent must decide; receipt is not confirmed (M7–M12)."""

    parcel_id: UUID
    tracking_number: str
    return_id: UUID | None
    reason: Literal["not-intact", "tracking-number-missing", "receipt-refused"]
    detail: str | None = None
    at: datetime


@event("returns", "ParcelLogCompiled", step="M", stream=STREAM)
class ParcelLogCompiled(EventPayload):
    """The daily 09:00 parcel log (M): parcels that arrived since the previous run."""

    run_date: date
    scheduled_for: datetime
    parcels: int
    matched: int
    unmatched: int
    unclaimed: int
