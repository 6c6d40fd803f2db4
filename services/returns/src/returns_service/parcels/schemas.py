"""Request and response bodies of the parcel API (PROCESSES.md §6.3)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from aftersales_chassis import Instant

MAX_BATCH = 500

ScanKindLiteral = Literal["arrived", "opened", "inspected", "stocked_in"]
DispositionLiteral = Literal["held", "returned_to_sender", "disposed"]


class ScanIn(BaseModel):
    """One scanner event. Validated item by item: a bad item is rejected, the rest kept.

    Its checks run in pydantic-core but one (the inspection rule): per-field Python
    validators had doubled the cost of validating a scan. Text PostgreSQL cannot store
    (NUL) is refused by ``nul_fields`` on the raw item, before this model.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    scan_id: str = Field(min_length=1, max_length=128, description="Unique per scan; a resend is a no-op.")
    kind: ScanKindLiteral
    scanned_at: Instant = Field(description="With a UTC offset; naive timestamps are rejected.")
    tracking_number: Annotated[str, StringConstraints(to_upper=True)] = Field(
        min_length=3, max_length=64, pattern=r"^[A-Za-z0-9-]+$"
    )
    courier: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32, description="As printed on the label.")
    sender_name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    return_number: str | None = Field(default=None, max_length=64, description="The return's id, if written on it.")
    intact: bool | None = Field(default=None, description="Required for `inspected`: goods intact, contents match.")
    lines: dict[str, StrictInt] | None = Field(
        default=None, description="`inspected` only: received quantity per sku; omit when all lines arrived."
    )
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _inspection_fields(self) -> ScanIn:
        if self.kind == "inspected" and self.intact is None:
            raise ValueError("an inspected scan must say whether the goods are intact (intact)")
        if self.kind != "inspected" and (self.intact is not None or self.lines is not None):
            raise ValueError("intact and lines belong to inspected scans only")
        if self.lines is not None and any(q < 0 or q > 10_000 for q in self.lines.values()):
            raise ValueError("line quantities must be between 0 and 10000")
        return self


NUL_MESSAGE = "must not contain the NUL character (\\u0000)"


def nul_fields(item: dict[str, Any]) -> list[str]:
    """The fields of a raw scan whose text holds NUL, which PostgreSQL's text and jsonb
    cannot store: refused per item, with its field, not by the database for the whole
    batch. One pass over the item (a ``lines`` key counts as ``lines``)."""
    found = []
    for name, value in item.items():
        if isinstance(value, str):
            if "\x00" in value:
                found.append(name)
        elif isinstance(value, dict) and any(isinstance(key, str) and "\x00" in key for key in value):
            found.append(name)
    return found


SCAN_EXAMPLE: dict[str, Any] = {
    "scan_id": "WH1-20261123-000042",
    "kind": "arrived",
    "scanned_at": "2026-11-23T09:12:00+08:00",
    "tracking_number": "SF1234567890",
    "courier": "SF",
    "phone": "138 0013 8000",
    "sender_name": "Li Lei",
    "address": "Room 5, 18 Nanjing Road, Shanghai",
}


class FieldError(BaseModel):
    field: str
    message: str


class AcceptedScan(BaseModel):
    index: int
    scan_id: str
    parcel_id: uuid.UUID


class DuplicateScan(BaseModel):
    index: int
    scan_id: str


class RejectedScan(BaseModel):
    index: int
    scan_id: str | None
    errors: list[FieldError]


class ParcelBrief(BaseModel):
    parcel_id: uuid.UUID
    tracking_number: str
    status: str
    stage: str
    return_id: uuid.UUID | None
    matched_by: str | None


class BatchResult(BaseModel):
    """Per-item outcome of a batch (207-style, sent with 200): ``index`` is the item's
    position in the request."""

    accepted: list[AcceptedScan]
    duplicates: list[DuplicateScan]
    rejected: list[RejectedScan]
    parcels: list[ParcelBrief] = Field(description="Parcels the accepted scans touched, after matching.")


BATCH_EXAMPLE: dict[str, Any] = {
    "accepted": [{"index": 0, "scan_id": "WH1-20261123-000042", "parcel_id": "6f1c2b0e-8d7a-4d1e-9a43-2b5c1e0f7a11"}],
    "duplicates": [{"index": 1, "scan_id": "WH1-20261123-000041"}],
    "rejected": [
        {
            "index": 2,
            "scan_id": "WH1-20261123-000043",
            "errors": [{"field": "body[2].scanned_at", "message": "Input should have timezone info"}],
        }
    ],
    "parcels": [
        {
            "parcel_id": "6f1c2b0e-8d7a-4d1e-9a43-2b5c1e0f7a11",
            "tracking_number": "SF1234567890",
            "status": "matched",
            "stage": "arrived",
            "return_id": "0b7f1a9e-3c55-4f0e-8a0a-51d7f3c3e9d2",
            "matched_by": "phone",
        }
    ],
}


class ParcelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    tracking_number: str
    courier: str | None
    phone: str | None
    sender_name: str | None
    address: str | None
    return_number: str | None
    first_scan_at: datetime
    last_scan_at: datetime
    stage: str
    status: str
    return_id: uuid.UUID | None
    matched_by: str | None
    matched_at: datetime | None
    match_note: str | None
    inspected_at: datetime | None
    intact: bool | None
    attention: str | None
    receipt_confirmed_at: datetime | None
    unclaimed_at: datetime | None
    unclaimed_by: str | None
    unclaimed_note: str | None
    disposition: str | None
    disposition_note: str | None
    claimed_by: str | None
    logged_on: date | None


class ScanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    scan_id: str
    kind: str
    scanned_at: datetime
    received_at: datetime
    intact: bool | None
    scanned_by: str


class IdentifyIn(BaseModel):
    """M3: customer service names the return the parcel belongs to."""

    model_config = ConfigDict(extra="forbid")
    return_id: uuid.UUID
    note: str | None = Field(default=None, max_length=500)


class UnclaimedIn(BaseModel):
    """M4: still unknown; record it in the unclaimed-parcel register."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=500, examples=["no order with this phone or name; customer unreachable"])


class ClaimIn(BaseModel):
    """M5 later: the owner turned up; link the unclaimed parcel to its return."""

    model_config = ConfigDict(extra="forbid")
    return_id: uuid.UUID
    note: str | None = Field(default=None, max_length=500)


class DispositionIn(BaseModel):
    """M6: what happens to an unclaimed parcel."""

    model_config = ConfigDict(extra="forbid")
    disposition: DispositionLiteral
    note: str | None = Field(default=None, max_length=500)


class LogRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    run_date: date
    scheduled_for: datetime
    ran_at: datetime
    parcels: int
    matched: int
    unmatched: int
    unclaimed: int
